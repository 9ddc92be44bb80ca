import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/**
 * A network namespace made for one test, so "no answer" can be produced
 * without sending anything beyond the machine: only `lo` exists, and
 * nftables drops echoes to 127.0.0.2, rejects those to 127.0.0.3 with
 * host-unreachable and drops every other echo to 127.0.0.4. Name lookups
 * fail at once inside it (no route to any resolver), so unknown names send
 * nothing either. Needs root (tests run as root here).
 */
export interface IcmpNetns {
  name: string;
  dir: string;
  /** Writes an executable wrapper that runs `file` inside the namespace, optionally as nobody. */
  wrap(label: string, file: string, options?: { asNobody?: boolean; pidFile?: string }): Promise<string>;
  /** Copies a binary without its file capabilities (no CAP_NET_RAW for nobody). */
  copyWithoutCaps(file: string): Promise<string>;
  /** net.ipv4.ping_group_range inside the namespace: open = every group may use unprivileged ICMP. */
  setUnprivilegedIcmp(open: boolean): Promise<void>;
  remove(): Promise<void>;
}

const RULES = `
table inet usm_icmp_test {
  chain out {
    type filter hook output priority 0; policy accept;
    ip daddr 127.0.0.2 icmp type echo-request drop
    ip daddr 127.0.0.3 icmp type echo-request reject with icmp type host-unreachable
    ip daddr 127.0.0.4 icmp type echo-request numgen inc mod 2 == 1 drop
  }
}
`;

const RUN = { timeout: 10_000 } as const;

export async function createIcmpNetns(): Promise<IcmpNetns> {
  const name = `usm-test-${randomBytes(4).toString('hex')}`;
  const dir = await mkdtemp(join(tmpdir(), 'usm-icmp-'));
  // nobody must be able to run the copies and wrappers kept here.
  await chmod(dir, 0o755);
  await execa('ip', ['netns', 'add', name], RUN);
  const netns = {
    name,
    dir,
    async wrap(label: string, file: string, options: { asNobody?: boolean; pidFile?: string } = {}) {
      const drop = options.asNobody ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
      const lines = ['#!/bin/sh'];
      // exec keeps one pid from here to the tool, so the pid written is the tool's.
      if (options.pidFile) lines.push(`echo $$ > '${options.pidFile}'`);
      lines.push(`exec ip netns exec ${name} ${[...drop, file].join(' ')} "$@"`);
      const path = join(dir, label);
      await writeFile(path, lines.join('\n') + '\n', { mode: 0o755 });
      return path;
    },
    async copyWithoutCaps(file: string) {
      const path = join(dir, `${file.split('/').pop()}-nocap`);
      await copyFile(file, path);
      await chmod(path, 0o755);
      return path;
    },
    async setUnprivilegedIcmp(open: boolean) {
      await execa('ip', ['netns', 'exec', name, 'sysctl', '-qw', `net.ipv4.ping_group_range=${open ? '0 2147483647' : '1 0'}`], RUN);
    },
    async remove() {
      await execa('ip', ['netns', 'del', name], { ...RUN, reject: false });
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await execa('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up'], RUN);
    await execa('ip', ['netns', 'exec', name, 'nft', '-f', '-'], { ...RUN, input: RULES });
  } catch (error) {
    await netns.remove();
    throw error;
  }
  return netns;
}
