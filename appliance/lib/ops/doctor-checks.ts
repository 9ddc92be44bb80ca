import { access, readdir, readFile, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describeError } from '../../../common/usm-error.js';
import { underRoot } from '../plan/file-plan.js';
import { runTool, type RunTool } from '../plan/run-tool.js';
import { parseWgDump, handshakeAgeSeconds } from '../tunnel/wg-dump.js';
import { readFirstEnvFile } from './env-file.js';
import { COMPOSE_FILE, POLLER_ENV_FILES } from './run-upgrade.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a warn or fail. */
  fix?: string;
}

export interface DoctorDeps {
  run: RunTool;
  /** The machine's own files (/sys, /dev, /etc/resolv.conf); '/' except in tests. */
  systemRoot: string;
  /** Where the appliance's files are (--root). */
  configRoot: string;
  /** TCP connect budget for the broker check. */
  connectTimeoutMs: number;
}

export const defaultDoctorDeps = (configRoot = '/'): DoctorDeps => ({ run: runTool, systemRoot: '/', configRoot, connectTimeoutMs: 3_000 });

const STALE_HANDSHAKE_S = 180;

/** Runs every check; none throws (a check that cannot run is a fail naming why). */
export async function runDoctorChecks(deps: DoctorDeps): Promise<CheckResult[]> {
  const checks = [checkWireguard, checkTun, checkNftables, checkServiceManager, checkClock, checkDns, checkTunnel, checkBroker];
  const results: CheckResult[] = [];
  for (const check of checks) {
    try {
      results.push(await check(deps));
    } catch (error) {
      results.push({ id: check.name.replace(/^check/, '').toLowerCase(), title: check.name, status: 'fail', detail: `the check itself failed: ${describeError(error)}` });
    }
  }
  return results;
}

async function tool(deps: DoctorDeps, file: string, args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const result = await deps.run(file, args, { allowFailure: true, timeoutMs: 10_000 });
    return { ok: result.exitCode === 0, out: (result.stdout || result.stderr).trim() };
  } catch (error) {
    // execa throws for ENOENT only when reject is on; runTool may still surface spawn errors.
    return { ok: false, out: describeError(error) };
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

export async function checkWireguard(deps: DoctorDeps): Promise<CheckResult> {
  const base = { id: 'wireguard', title: 'WireGuard (kernel module or wireguard-go)' };
  const wg = await tool(deps, 'wg', ['--version']);
  if (!wg.ok) return { ...base, status: 'fail', detail: 'wg (wireguard-tools) is not installed', fix: 'apt-get install wireguard-tools' };
  if (await exists(join(deps.systemRoot, 'sys/module/wireguard'))) return { ...base, status: 'ok', detail: `kernel module loaded; ${wg.out.split('\n')[0]}` };
  const modinfo = await tool(deps, 'modinfo', ['-F', 'version', 'wireguard']);
  if (modinfo.ok) return { ...base, status: 'ok', detail: 'kernel module available (loaded when the tunnel comes up)' };
  const userspace = await tool(deps, 'wireguard-go', ['--version']);
  if (userspace.ok) return { ...base, status: 'ok', detail: `no kernel module; userspace ${userspace.out.split('\n')[0]} will run the tunnel` };
  return { ...base, status: 'fail', detail: 'no kernel module and no wireguard-go', fix: 'load the module (modprobe wireguard; kernel 5.6+) or apt-get install wireguard-go' };
}

export async function checkTun(deps: DoctorDeps): Promise<CheckResult> {
  const base = { id: 'tun', title: '/dev/net/tun (needed by wireguard-go)' };
  const path = join(deps.systemRoot, 'dev/net/tun');
  try {
    const info = await stat(path);
    if (!info.isCharacterDevice()) return { ...base, status: 'warn', detail: `${path} is not a character device`, fix: 'mknod /dev/net/tun c 10 200 (in a container: --device /dev/net/tun)' };
    await access(path, constants.R_OK | constants.W_OK);
    return { ...base, status: 'ok', detail: `${path} present and usable` };
  } catch (error) {
    const kernel = await exists(join(deps.systemRoot, 'sys/module/wireguard'));
    return { ...base, status: kernel ? 'warn' : 'fail', detail: `${path}: ${describeError(error)}`, fix: 'modprobe tun (in a container: --device /dev/net/tun --cap-add NET_ADMIN)' };
  }
}

export async function checkNftables(deps: DoctorDeps): Promise<CheckResult> {
  const base = { id: 'nftables', title: 'nftables (the firewall that leaves no open port)' };
  const nft = await tool(deps, 'nft', ['--version']);
  return nft.ok ? { ...base, status: 'ok', detail: nft.out.split('\n')[0]! } : { ...base, status: 'fail', detail: `nft: ${nft.out || 'not found'}`, fix: 'apt-get install nftables' };
}

export async function checkServiceManager(deps: DoctorDeps): Promise<CheckResult> {
  const base = { id: 'service-manager', title: 'Docker Compose or systemd' };
  const [compose, systemd] = await Promise.all([tool(deps, 'docker', ['compose', 'version', '--short']), tool(deps, 'systemctl', ['--version'])]);
  const composeProject = await exists(underRoot(deps.configRoot, COMPOSE_FILE));
  if (composeProject && !compose.ok) {
    return { ...base, status: 'fail', detail: `${COMPOSE_FILE} exists but docker compose does not run: ${compose.out.split('\n')[0] || 'not found'}`, fix: 'install Docker Engine and the Compose v2 plugin (docker-compose-plugin)' };
  }
  const found = [compose.ok ? `docker compose ${compose.out.split('\n')[0]}` : '', systemd.ok ? systemd.out.split('\n')[0]! : ''].filter(Boolean);
  if (found.length === 0) return { ...base, status: 'fail', detail: 'neither docker compose nor systemctl runs', fix: 'run the poller under systemd, or install Docker Engine with the Compose v2 plugin' };
  return { ...base, status: 'ok', detail: found.join('; ') };
}

export async function checkClock(deps: DoctorDeps): Promise<CheckResult> {
  const base = { id: 'clock', title: 'clock synchronised (job expiresAt, TLS validity, WireGuard handshakes)' };
  const result = await tool(deps, 'timedatectl', ['show', '--property=NTPSynchronized', '--value']);
  if (!result.ok) return { ...base, status: 'warn', detail: `cannot tell: timedatectl ${result.out.split('\n')[0] || 'not available'}`, fix: 'make sure an NTP client runs (systemd-timesyncd, chrony)' };
  if (result.out === 'yes') return { ...base, status: 'ok', detail: 'NTP synchronised' };
  return { ...base, status: 'warn', detail: `NTPSynchronized=${result.out}`, fix: 'timedatectl set-ntp true, or install chrony' };
}

export async function checkDns(deps: DoctorDeps): Promise<CheckResult> {
  const base = { id: 'dns', title: 'DNS resolver configuration' };
  const path = join(deps.systemRoot, 'etc/resolv.conf');
  try {
    const text = await readFile(path, 'utf8');
    const servers = text.split('\n').filter((line) => /^\s*nameserver\s+\S+/.test(line)).map((line) => line.trim().split(/\s+/)[1]!);
    if (servers.length === 0) return { ...base, status: 'warn', detail: `${path} lists no nameserver`, fix: 'add a nameserver (jobs that name hosts need it; IP targets do not)' };
    return { ...base, status: 'ok', detail: `${path}: nameserver ${servers.join(', ')}` };
  } catch (error) {
    return { ...base, status: 'warn', detail: `${path}: ${describeError(error)}`, fix: 'provide /etc/resolv.conf (jobs that name hosts need it)' };
  }
}

export async function checkTunnel(deps: DoctorDeps): Promise<CheckResult> {
  const base = { id: 'tunnel', title: 'WireGuard tunnel (usm*.conf) up, recent handshake' };
  const dir = underRoot(deps.configRoot, '/etc/wireguard');
  const conf = (await readdir(dir).catch(() => [] as string[])).filter((name) => /^usm[A-Za-z0-9_=+.-]*\.conf$/.test(name)).sort()[0];
  if (!conf) return { ...base, status: 'ok', detail: `no usm*.conf in ${dir}: no tunnel configured (AMQPS link, or not set up yet)` };
  const ifname = conf.replace(/\.conf$/, '');
  const dump = await tool(deps, 'wg', ['show', ifname, 'dump']);
  if (!dump.ok) return { ...base, status: 'fail', detail: `${ifname} is configured but not up: ${dump.out.split('\n')[0]}`, fix: `systemctl start wg-quick@${ifname} (or usm-appliance run)` };
  const state = parseWgDump(dump.out);
  if (state.peers.length === 0) return { ...base, status: 'fail', detail: `${ifname} has no peer`, fix: 'set the satellite up again from its enrollment file' };
  const ages = state.peers.map((peer) => handshakeAgeSeconds(peer));
  const fresh = ages.filter((age): age is number => age !== null && age <= STALE_HANDSHAKE_S);
  if (fresh.length > 0) return { ...base, status: 'ok', detail: `${ifname}: ${state.peers.length} peer(s), latest handshake ${Math.min(...fresh)} s ago` };
  return { ...base, status: 'fail', detail: `no handshake within ${STALE_HANDSHAKE_S} s`, fix: "check the core's endpoint (UDP port open on the core), the keys, and the clock" };
}

export async function checkBroker(deps: DoctorDeps): Promise<CheckResult> {
  const base = { id: 'broker', title: 'broker reachable (TCP to the DSN host:port, from the tunnel address)' };
  const env = await readFirstEnvFile([join('/opt/usm_poller', 'poller.env'), ...POLLER_ENV_FILES].map((p) => underRoot(deps.configRoot, p)));
  const dsn = env?.values.US_AMQP_DSN;
  if (!env || !dsn) return { ...base, status: 'warn', detail: `no US_AMQP_DSN in ${POLLER_ENV_FILES.join(' or ')} under ${deps.configRoot}`, fix: 'set the satellite up (usm-appliance setup)' };
  const local = env.values.USM_POLLER_LOCAL_ADDRESS || undefined;
  const results = await Promise.all(dsn.split(',').map((url) => url.trim()).filter(Boolean).map((url) => probeBroker(url, local, deps.connectTimeoutMs)));
  const reached = results.filter((r) => r.ok);
  const detail = results.map((r) => `${r.address} ${r.ok ? 'reached' : `not reached (${r.why})`}`).join('; ') + (local ? ` from ${local}` : '');
  if (reached.length === results.length) return { ...base, status: 'ok', detail };
  return {
    ...base, status: reached.length > 0 ? 'warn' : 'fail', detail,
    fix: 'check the tunnel (usm-appliance doctor: tunnel), the core firewall (the broker port open to the tunnel subnet) and that RabbitMQ listens on the tunnel address',
  };
}

function probeBroker(url: string, localAddress: string | undefined, timeoutMs: number): Promise<{ address: string; ok: boolean; why: string }> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname.replace(/^\[|\]$/g, '');
    port = Number(parsed.port || (parsed.protocol === 'amqps:' ? 5671 : 5672));
  } catch {
    return Promise.resolve({ address: '(unparseable URL)', ok: false, why: 'invalid URL' });
  }
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve) => {
    const socket = connect({ host, port, ...(localAddress ? { localAddress } : {}), timeout: timeoutMs });
    const done = (ok: boolean, why: string) => {
      socket.destroy();
      resolve({ address, ok, why });
    };
    socket.once('connect', () => done(true, ''));
    socket.once('timeout', () => done(false, `no answer in ${timeoutMs} ms`));
    socket.once('error', (error: NodeJS.ErrnoException) => done(false, error.code ?? error.message));
  });
}
