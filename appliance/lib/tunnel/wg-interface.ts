import { UsmError } from '../../../common/usm-error.js';
import { runTool, type RunTool } from '../plan/run-tool.js';
import { parseWgDump, type InterfaceState } from './wg-dump.js';

export type TunnelImplementation = 'kernel' | 'wireguard-go';

export interface TunnelDeps {
  run?: RunTool;
  env?: Record<string, string | undefined>;
}

const USERSPACE_FALLBACK = /Falling back to (slow )?userspace implementation/i;
const NO_KERNEL_MODULE = /Unknown device type|Operation not supported|Protocol not supported|module.*wireguard|RTNETLINK answers: Not supported/i;

/**
 * `wg-quick up <config>` with the kernel module, falling back to the
 * wireguard-go userspace implementation when the kernel has no WireGuard.
 * Returns which one runs the interface. `configPath` must end in <ifname>.conf.
 */
export async function bringTunnelUp(configPath: string, deps: TunnelDeps = {}): Promise<TunnelImplementation> {
  const run = deps.run ?? runTool;
  const baseEnv = pickEnv(deps.env ?? process.env);
  const kernel = await run('wg-quick', ['up', configPath], { allowFailure: true, timeoutMs: 60_000, env: baseEnv });
  // wg-quick itself falls back to wireguard-go when `ip link add ... type wireguard` fails, and says so.
  if (kernel.exitCode === 0) return USERSPACE_FALLBACK.test(`${kernel.stderr}\n${kernel.stdout}`) ? 'wireguard-go' : 'kernel';
  const said = `${kernel.stderr}\n${kernel.stdout}`;
  if (!NO_KERNEL_MODULE.test(said)) throw new UsmError('E_TUNNEL', `wg-quick up ${configPath} failed: ${lastLines(said)}`);
  // The failed kernel attempt may leave a half-made link behind.
  await run('ip', ['link', 'del', interfaceName(configPath)], { allowFailure: true, timeoutMs: 10_000 });
  const userspace = await run('wg-quick', ['up', configPath], {
    allowFailure: true, timeoutMs: 60_000, env: { ...baseEnv, WG_QUICK_USERSPACE_IMPLEMENTATION: 'wireguard-go' },
  });
  if (userspace.exitCode === 0) return 'wireguard-go';
  const why = lastLines(`${userspace.stderr}\n${userspace.stdout}`);
  const hint = /wireguard-go: (command )?not found|No such file/i.test(why) ? ' (install the wireguard-go package, or load the wireguard kernel module)' : '';
  throw new UsmError('E_TUNNEL', `no kernel WireGuard and wireguard-go failed: ${why}${hint}`);
}

export async function bringTunnelDown(configPath: string, deps: TunnelDeps = {}): Promise<void> {
  const run = deps.run ?? runTool;
  await run('wg-quick', ['down', configPath], { allowFailure: true, timeoutMs: 30_000, env: pickEnv(deps.env ?? process.env) });
}

/** The interface's state, or null when it does not exist. */
export async function readInterface(ifname: string, deps: TunnelDeps = {}): Promise<InterfaceState | null> {
  const run = deps.run ?? runTool;
  const result = await run('wg', ['show', ifname, 'dump'], { allowFailure: true, timeoutMs: 10_000 });
  if (result.exitCode !== 0) return null;
  return parseWgDump(result.stdout);
}

/** `wg syncconf` from a stripped config file (peers, keys, port; no addresses): changes only what differs, keeps sessions. */
export async function syncInterface(ifname: string, strippedConfigPath: string, deps: TunnelDeps = {}): Promise<void> {
  const run = deps.run ?? runTool;
  await run('wg', ['syncconf', ifname, strippedConfigPath], { timeoutMs: 30_000 });
}

export function interfaceName(configPath: string): string {
  const base = configPath.split('/').at(-1) ?? '';
  return base.replace(/\.conf$/, '');
}

function lastLines(text: string): string {
  return text.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
}

function pickEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  // With LOG_LEVEL set, the daemonised wireguard-go keeps wg-quick's stdout/stderr open and wg-quick never
  // seems to finish; empty, it detaches onto /dev/null. (execa merges process.env, so it must be overridden.)
  out.LOG_LEVEL = '';
  return out;
}
