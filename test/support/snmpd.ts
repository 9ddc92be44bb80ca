/**
 * Runs Debian's net-snmp agent (/usr/sbin/snmpd 5.9) on 127.0.0.1 for tests.
 *
 *   const agent = await startSnmpd();
 *   t.after(() => agent.stop());
 *   // agent.host, agent.port, agent.communities.ro / .rw, agent.v3Users
 *
 * - Foreground (`-f`), only its own config (`-C -c`), no SMUX (`-I -smux`, so
 *   no TCP 199), UDP on a free loopback port; logs are kept in memory and shown
 *   only when it fails to start.
 * - Its own temp persistent dir (SNMP_PERSISTENT_DIR), so `createUser` lines
 *   work and nothing touches /var/lib/snmp.
 * - v1/v2c communities: `ro` (read-only) and `rw` (read-write; sysContact.0,
 *   sysName.0 and sysLocation.0 are writable because the config leaves them unset).
 * - One v3 user per combination job-protocol.md lists: noAuthNoPriv, authNoPriv
 *   for each auth protocol, authPriv for each auth x priv pair (31 users, all
 *   read-write). This snmpd build (5.9.3) supports every one of them: SHA-224..
 *   SHA-512, AES-256 (Blumenthal draft, net-snmp `aes256b`) and AES-256C (Reeder,
 *   net-snmp `aes256r`).
 * - Communities and keys are random per start, so tests can search results and
 *   logs for them.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import snmp from 'net-snmp';

export type SnmpAuthProtocol = 'md5' | 'sha' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
export type SnmpPrivProtocol = 'des' | 'aes' | 'aes256b' | 'aes256r';

export interface SnmpV3TestUser {
  user: string;
  level: 'noAuthNoPriv' | 'authNoPriv' | 'authPriv';
  authProtocol?: SnmpAuthProtocol;
  authKey?: string;
  privProtocol?: SnmpPrivProtocol;
  privKey?: string;
}

export interface SnmpdHandle {
  host: string;
  port: number;
  communities: { ro: string; rw: string };
  v3Users: SnmpV3TestUser[];
  stop(): Promise<void>;
}

export const SNMPD_PATH = '/usr/sbin/snmpd';
export const AUTH_PROTOCOLS: readonly SnmpAuthProtocol[] = ['md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'];
export const PRIV_PROTOCOLS: readonly SnmpPrivProtocol[] = ['des', 'aes', 'aes256b', 'aes256r'];

// snmpd's names for the protocols (snmpd.conf(5), createUser).
const SNMPD_AUTH: Record<SnmpAuthProtocol, string> = {
  md5: 'MD5', sha: 'SHA', sha224: 'SHA-224', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512',
};
const SNMPD_PRIV: Record<SnmpPrivProtocol, string> = { des: 'DES', aes: 'AES', aes256b: 'AES-256', aes256r: 'AES256C' };

const START_TIMEOUT_MS = 15_000;

/** A UDP port that was free a moment ago on 127.0.0.1 (bind port 0, read it, release it). */
export async function pickFreeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export function buildV3Users(): SnmpV3TestUser[] {
  const key = () => randomBytes(8).toString('hex');
  const users: SnmpV3TestUser[] = [{ user: 'u_noauth', level: 'noAuthNoPriv' }];
  for (const authProtocol of AUTH_PROTOCOLS) users.push({ user: `u_${authProtocol}`, level: 'authNoPriv', authProtocol, authKey: key() });
  for (const authProtocol of AUTH_PROTOCOLS) {
    for (const privProtocol of PRIV_PROTOCOLS) {
      users.push({ user: `u_${authProtocol}_${privProtocol}`, level: 'authPriv', authProtocol, authKey: key(), privProtocol, privKey: key() });
    }
  }
  return users;
}

export function renderSnmpdConfig(communities: { ro: string; rw: string }, users: readonly SnmpV3TestUser[]): string {
  const lines = [
    `rocommunity ${communities.ro} 127.0.0.1`,
    `rwcommunity ${communities.rw} 127.0.0.1`,
    'dontLogTCPWrappersConnects yes',
  ];
  for (const u of users) {
    const parts = ['createUser', u.user];
    if (u.authProtocol && u.authKey) parts.push(SNMPD_AUTH[u.authProtocol], u.authKey);
    if (u.privProtocol && u.privKey) parts.push(SNMPD_PRIV[u.privProtocol], u.privKey);
    lines.push(parts.join(' '));
    lines.push(`rwuser ${u.user} ${u.level === 'noAuthNoPriv' ? 'noauth' : u.level === 'authNoPriv' ? 'auth' : 'priv'}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function startSnmpd(): Promise<SnmpdHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'usm-snmpd-'));
  const communities = { ro: `ro-${randomBytes(6).toString('hex')}`, rw: `rw-${randomBytes(6).toString('hex')}` };
  const v3Users = buildV3Users();
  const confPath = join(dir, 'snmpd.conf');
  await writeFile(confPath, renderSnmpdConfig(communities, v3Users), { mode: 0o600 });
  const port = await pickFreeUdpPort();

  const output: string[] = [];
  const child: ResultPromise = execa(
    SNMPD_PATH,
    ['-f', '-Lo', '-C', '-c', confPath, '-I', '-smux', '-p', join(dir, 'snmpd.pid'), `udp:127.0.0.1:${port}`],
    {
      env: { SNMP_PERSISTENT_DIR: join(dir, 'persist'), MIBS: '', MIBDIRS: dir },
      extendEnv: false,
      stdin: 'ignore',
      reject: false,
      forceKillAfterDelay: 2_000,
    },
  );
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 200) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  void child.then(() => {
    exited = true;
  });

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM');
      await Promise.race([child, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      if (!exited) child.kill('SIGKILL');
      await child;
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitForAnswer(port, communities.ro, () => exited);
  } catch (error) {
    await stop();
    throw new Error(`snmpd did not start: ${(error as Error).message}\n${output.join('')}`);
  }
  return { host: '127.0.0.1', port, communities, v3Users, stop };
}

async function waitForAnswer(port: number, community: string, hasExited: () => boolean): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const session = snmp.createSession('127.0.0.1', community, { port, version: snmp.Version2c, retries: 0, timeout: 200 });
  session.on('error', () => {});
  try {
    while (Date.now() < deadline) {
      if (hasExited()) throw new Error('snmpd exited');
      const answered = await new Promise<boolean>((resolve) => session.get(['1.3.6.1.2.1.1.3.0'], (error) => resolve(!error)));
      if (answered) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no answer on udp:127.0.0.1:${port} within ${START_TIMEOUT_MS} ms`);
  } finally {
    session.close();
  }
}
