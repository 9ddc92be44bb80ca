/**
 * The core side of the end-to-end tests: a WireGuard hub in the host
 * namespace on a unique interface name (usmc<tag>, its own
 * /run/wireguard/usmc<tag>.sock), enrollment (answers) files, and a
 * least-privilege broker user per satellite on the test node.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import type { Answers, WgKeyPair } from '../../../provision/index.js';

export interface Enrollment {
  answers: Answers;
  keys: WgKeyPair;
  presharedKey: string;
  address: string;
  path: string;
}

/**
 * The core through the real `usm-appliance core` commands (init, up,
 * add-satellite, rotate-satellite [--finish], down) under their own --root,
 * with the broker user created on the test node (--node).
 */
export interface CliCore {
  ifname: string;
  coreAddress: string;
  listenPort: number;
  publicKey: string;
  enroll(id: string, fileName: string): Promise<Enrollment>;
  rotate(id: string, fileName: string): Promise<Enrollment>;
  finish(id: string): Promise<string>;
  listPeers(): Promise<string[]>;
  down(): Promise<void>;
}

export async function createCliCore(input: { dir: string; tag: string; octet: number; endpointHost: string; cli: string[]; cwd: string }): Promise<CliCore & { start(rabbitNode: string): void }> {
  const { parseAnswersYaml, derivePublicKey } = await import('../../../provision/index.js');
  const root = join(input.dir, 'core-root');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(root, { recursive: true });
  const ifname = `usmc${input.tag}`;
  const listenPort = 40_000 + (input.octet % 200) * 100 + Math.floor(Math.random() * 100);
  let node = '';
  const core = async (args: string[]) => {
    const result = await execa(input.cli[0]!, [...input.cli.slice(1), 'core', ...args, '--root', root], { cwd: input.cwd, timeout: 120_000, reject: false });
    if (result.exitCode !== 0) throw new Error(`core ${args.join(' ')} failed: ${String(result.stderr)}\n${String(result.stdout)}`);
    return String(result.stdout);
  };
  const read = async (path: string): Promise<Enrollment> => {
    const { readFile } = await import('node:fs/promises');
    const answers = parseAnswersYaml(await readFile(path, 'utf8'), path);
    if (answers.transport !== 'wireguard') throw new Error('expected a wireguard enrollment');
    const privateKey = answers.wireguard.privateKey;
    return { answers, keys: { privateKey, publicKey: derivePublicKey(privateKey) }, presharedKey: answers.wireguard.core.presharedKey, address: answers.wireguard.address.split('/')[0]!, path };
  };
  const init = await core(['init', '--endpoint', `${input.endpointHost}:${listenPort}`, '--subnet', `10.232.${input.octet}.0/24`, '--interface', ifname]);
  const publicKey = /hub public key: (\S+)/.exec(init)?.[1] ?? '';
  console.log(`core up: ${(await core(['up'])).trim().split('\n').join(' | ')}`);
  return {
    ifname, coreAddress: `10.232.${input.octet}.1`, listenPort, publicKey,
    start(rabbitNode) { node = rabbitNode; },
    async enroll(id, fileName) {
      const path = join(input.dir, fileName);
      await core(['add-satellite', '--id', id, '--out', path, '--node', node]);
      return read(path);
    },
    async rotate(id, fileName) {
      const path = join(input.dir, fileName);
      await core(['rotate-satellite', '--id', id, '--out', path]);
      return read(path);
    },
    finish: (id) => core(['rotate-satellite', '--id', id, '--finish']),
    async listPeers() {
      return (await execa('wg', ['show', ifname, 'peers'], { timeout: 15_000 })).stdout.split('\n').filter(Boolean);
    },
    async down() { await core(['down']).catch(() => undefined); },
  };
}
