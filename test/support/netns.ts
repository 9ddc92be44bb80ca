/**
 * Network namespaces for the end-to-end tests. A satellite namespace is joined
 * to the host by a veth pair (host 10.231.<n>.1/30, namespace 10.231.<n>.2/30),
 * and every command in it runs with its own /run/wireguard (a per-lab
 * directory bind-mounted over it in a private mount namespace), so the
 * satellite's interface can be called usm0 whatever the host has. Processes
 * are killed by pid and namespaces deleted in `destroy()`, which is safe to
 * call twice.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type Options, type ResultPromise } from 'execa';

const TIMEOUT = 30_000;
// Positional arguments only: no secret ever lands in this shell string.
const WITH_OWN_WIREGUARD_RUN = 'mount --bind "$0" /run/wireguard && exec "$@"';

export interface SatelliteNamespace {
  name: string;
  hostIf: string;
  nsIf: string;
  hostAddress: string;
  nsAddress: string;
  /** Private /run/wireguard of this namespace (host path). */
  wgRunDir: string;
  /** argv prefix that runs a command inside the namespace with its own /run/wireguard. */
  prefix(): string[];
  exec(argv: string[], options?: Options): Promise<{ stdout: string; stderr: string; exitCode: number }>;
  spawn(argv: string[], options?: Options): ResultPromise;
  setLink(up: boolean): Promise<void>;
}

export interface NetLab {
  tag: string;
  octet: number;
  dir: string;
  addSatellite(label: string): Promise<SatelliteNamespace>;
  track(child: ResultPromise): ResultPromise;
  destroy(): Promise<void>;
}

export async function createNetLab(): Promise<NetLab> {
  const tag = randomBytes(3).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), 'usm-e2e-'));
  const namespaces: string[] = [];
  const links: string[] = [];
  const children: ResultPromise[] = [];
  let nextOctet = await pickFreeOctet();
  let destroyed = false;
  const track = (child: ResultPromise): ResultPromise => {
    children.push(child);
    child.catch(() => undefined);
    return child;
  };
  return {
    tag,
    octet: nextOctet,
    dir,
    track,
    async addSatellite(label) {
      const octet = nextOctet;
      nextOctet = (nextOctet + 1) % 256;
      const name = `usm-${label}-${tag}`;
      const hostIf = `vh${label.slice(0, 3)}${tag}`;
      const nsIf = `vs${label.slice(0, 3)}${tag}`;
      const wgRunDir = join(dir, `${label}-run-wireguard`);
      await mkdir(wgRunDir, { recursive: true, mode: 0o700 });
      await execa('ip', ['netns', 'add', name], { timeout: TIMEOUT });
      namespaces.push(name);
      await execa('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf, 'netns', name], { timeout: TIMEOUT });
      links.push(hostIf);
      const hostAddress = `10.231.${octet}.1`;
      const nsAddress = `10.231.${octet}.2`;
      await execa('ip', ['addr', 'add', `${hostAddress}/30`, 'dev', hostIf], { timeout: TIMEOUT });
      await execa('ip', ['link', 'set', hostIf, 'up'], { timeout: TIMEOUT });
      const inNs = (argv: string[]) => execa('ip', ['netns', 'exec', name, ...argv], { timeout: TIMEOUT });
      await inNs(['ip', 'link', 'set', 'lo', 'up']);
      await inNs(['ip', 'addr', 'add', `${nsAddress}/30`, 'dev', nsIf]);
      await inNs(['ip', 'link', 'set', nsIf, 'up']);
      const prefix = () => ['ip', 'netns', 'exec', name, 'unshare', '--mount', 'sh', '-c', WITH_OWN_WIREGUARD_RUN, wgRunDir];
      return {
        name, hostIf, nsIf, hostAddress, nsAddress, wgRunDir, prefix,
        async exec(argv, options = {}) {
          const [file, ...args] = [...prefix(), ...argv];
          const result = await execa(file!, args, { timeout: TIMEOUT, reject: false, ...options });
          return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exitCode: result.exitCode ?? -1 };
        },
        spawn(argv, options = {}) {
          const [file, ...args] = [...prefix(), ...argv];
          return track(execa(file!, args, { reject: false, timeout: 20 * 60_000, ...options }));
        },
        async setLink(up) {
          await execa('ip', ['link', 'set', hostIf, up ? 'up' : 'down'], { timeout: TIMEOUT });
        },
      };
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const child of children) {
        if (child.exitCode === null && child.pid !== undefined) child.kill('SIGKILL');
        await Promise.race([child.catch(() => undefined), new Promise((r) => setTimeout(r, 5_000).unref())]);
      }
      for (const ns of namespaces) {
        // Processes still inside (e.g. a daemonised wireguard-go) are killed by pid first.
        const pids = await execa('ip', ['netns', 'pids', ns], { timeout: TIMEOUT, reject: false });
        for (const pid of String(pids.stdout ?? '').split('\n').map(Number).filter((p) => p > 0)) {
          try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
        }
        await execa('ip', ['netns', 'del', ns], { timeout: TIMEOUT, reject: false });
      }
      for (const link of links) await execa('ip', ['link', 'del', link], { timeout: TIMEOUT, reject: false });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A 10.231.<n>.0/24 that no interface on the host uses yet. */
async function pickFreeOctet(): Promise<number> {
  const { stdout } = await execa('ip', ['-4', 'addr', 'show'], { timeout: TIMEOUT });
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const octet = randomInt(0, 250);
    if (!stdout.includes(`10.231.${octet}.`) && !stdout.includes(`10.231.${octet + 1}.`)) return octet;
  }
  throw new Error('no free 10.231.<n>.0/24 for the test');
}
