/**
 * Re-captures the raw fping/ping outputs under test/golden/icmp/ (run by hand,
 * as root: `node --import tsx test/icmp/capture-golden-inputs.ts`). Everything
 * runs inside a throwaway namespace (see icmp-netns.ts), so nothing leaves the
 * machine. Then `UPDATE_GOLDEN=1 npm test -- icmp-parsers` refreshes the
 * expected parses, which should be reviewed by eye.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { createIcmpNetns } from './icmp-netns.js';

const GOLDEN = join(import.meta.dirname, '..', 'golden', 'icmp');
const FPING = ['-C', '3', '-p', '20', '-t', '20', '-i', '1', '-r', '0', '-f', '-'];
const PING = ['-n', '-c', '3', '-i', '0.02', '-W', '0.02', '--'];

async function main(): Promise<void> {
  const netns = await createIcmpNetns();
  try {
    const fping = await netns.wrap('fping', '/usr/bin/fping');
    const ping = await netns.wrap('ping', '/usr/bin/ping');
    const fpingNobody = await netns.wrap('fping-nobody', await netns.copyWithoutCaps('/usr/bin/fping'), { asNobody: true });
    const pingNobody = await netns.wrap('ping-nobody', await netns.copyWithoutCaps('/usr/bin/ping'), { asNobody: true });

    const fpingCases: Record<string, [string, string[]]> = {
      'fping-ok': [fping, ['127.0.0.1', '::1', '127.1.2.3']],
      'fping-mixed': [fping, ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '::1', 'nonexistent.invalid']],
      'fping-loss': [fping, ['127.0.0.2']],
      'fping-unknown': [fping, ['nonexistent.invalid']],
      'fping-permission': [fpingNobody, ['127.0.0.1']],
    };
    await netns.setUnprivilegedIcmp(false);
    for (const [name, [file, hosts]] of Object.entries(fpingCases)) {
      const out = await execa(file, FPING, { input: hosts.join('\n') + '\n', reject: false, env: { LC_ALL: 'C' }, timeout: 10_000 });
      await writeFile(join(GOLDEN, `${name}.stdout.txt`), out.stdout + '\n');
      await writeFile(join(GOLDEN, `${name}.stderr.txt`), out.stderr + '\n');
    }
    const pingCases: Record<string, [string, string]> = {
      'ping-ok': [ping, '127.0.0.1'],
      'ping-ipv6': [ping, '::1'],
      'ping-loss': [ping, '127.0.0.2'],
      'ping-unreachable': [ping, '127.0.0.3'],
      'ping-partial': [ping, '127.0.0.4'],
      'ping-unknown': [ping, 'nonexistent.invalid'],
      'ping-permission': [pingNobody, '127.0.0.1'],
    };
    for (const [name, [file, host]] of Object.entries(pingCases)) {
      const out = await execa(file, [...PING, host], { reject: false, env: { LC_ALL: 'C' }, timeout: 10_000, all: true });
      await writeFile(join(GOLDEN, `${name}.txt`), out.all + '\n');
    }
    // fping < 5.2 with an unprivileged socket: sends, but ignores every reply.
    await netns.setUnprivilegedIcmp(true);
    const dgram = await execa(fpingNobody, FPING, { input: '127.0.0.1\n', reject: false, env: { LC_ALL: 'C' }, timeout: 10_000 });
    await writeFile(join(GOLDEN, 'fping-dgram-no-reply.stdout.txt'), dgram.stdout + '\n');
    await writeFile(join(GOLDEN, 'fping-dgram-no-reply.stderr.txt'), dgram.stderr + '\n');
  } finally {
    await netns.remove();
  }
}

await main();
