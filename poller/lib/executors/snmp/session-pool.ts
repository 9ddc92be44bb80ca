import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import snmp from 'net-snmp';
import type { Session, V3User } from 'net-snmp';
import type { Logger } from '../../../../common/logger.js';
import type { SnmpCredentials } from './snmp-params.js';

/** Resolves a host name once per session; IP literals never reach it. */
export type ResolveHost = (host: string) => Promise<{ address: string; family: 4 | 6 }>;

export const resolveWithDns: ResolveHost = async (host) => {
  const { address, family } = await dnsLookup(host);
  return { address, family: family === 6 ? 6 : 4 };
};

export interface SessionSpec {
  host: string;
  port: number;
  credentials: SnmpCredentials;
}

interface PooledSession {
  key: string;
  session: Session;
  users: number;
  idleTimer: NodeJS.Timeout | undefined;
  closed: boolean;
}

export interface SessionLease {
  readonly session: Session;
  release(): void;
}

/**
 * One net-snmp session (one UDP socket) per target and credentials, shared by
 * concurrent jobs and closed after `idleMs` without users. The key hashes the
 * credentials so secrets never sit in map keys or logs.
 */
export class SessionPool {
  private readonly ready = new Map<string, PooledSession>();
  /** Sessions whose host name is still being resolved, so concurrent jobs share one. */
  private readonly opening = new Map<string, Promise<PooledSession>>();
  private closing = false;

  constructor(
    private readonly log: Logger,
    private readonly idleMs: number,
    private readonly resolveHost: ResolveHost,
  ) {}

  /** Throws the resolver's error (ENOTFOUND, ...) when the host cannot be resolved. */
  async acquire(spec: SessionSpec): Promise<SessionLease> {
    if (this.closing) throw new Error('SNMP session pool is closed');
    const key = poolKey(spec);
    let entry = this.ready.get(key);
    if (!entry) {
      let pending = this.opening.get(key);
      if (!pending) {
        pending = this.open(key, spec).finally(() => this.opening.delete(key));
        this.opening.set(key, pending);
      }
      entry = await pending;
      if (entry.closed) throw new Error('SNMP session pool is closed');
    }
    entry.users++;
    clearTimeout(entry.idleTimer);
    entry.idleTimer = undefined;
    let released = false;
    return {
      session: entry.session,
      release: () => {
        if (released) return;
        released = true;
        entry.users--;
        if (entry.users === 0 && !entry.closed) {
          entry.idleTimer = setTimeout(() => this.closeEntry(entry), this.idleMs);
          entry.idleTimer.unref();
        }
      },
    };
  }

  /** Open sessions (one UDP socket each). */
  get size(): number {
    return this.ready.size;
  }

  async closeAll(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.opening.values()]);
    for (const entry of [...this.ready.values()]) this.closeEntry(entry);
  }

  private async open(key: string, spec: SessionSpec): Promise<PooledSession> {
    const literal = isIP(spec.host);
    const { address, family } = literal ? { address: spec.host, family: literal } : await this.resolveHost(spec.host);
    const options = {
      port: spec.port,
      transport: family === 6 ? ('udp6' as const) : ('udp4' as const),
      // The walk checks OID order itself, so the library must hand over whatever the agent sent.
      backwardsGetNexts: true,
    };
    const { credentials } = spec;
    const session =
      credentials.version === '3'
        ? snmp.createV3Session(address, toV3User(credentials), { ...options, version: snmp.Version3, context: credentials.v3?.context ?? '' })
        : snmp.createSession(address, credentials.community ?? '', { ...options, version: credentials.version === '1' ? snmp.Version1 : snmp.Version2c });
    const entry: PooledSession = { key, session, users: 0, idleTimer: undefined, closed: false };
    // A garbage datagram makes net-snmp emit 'error' on the session; unhandled it would kill the process.
    session.on('error', (error: Error) => this.log.debug({ host: spec.host, port: spec.port, err: error.message }, 'SNMP session ignored a bad datagram'));
    session.on('close', () => this.forget(entry));
    if (this.closing) this.closeEntry(entry);
    else this.ready.set(key, entry);
    this.log.debug({ host: spec.host, port: spec.port, version: credentials.version }, 'SNMP session opened');
    return entry;
  }

  private closeEntry(entry: PooledSession): void {
    if (entry.closed) return;
    clearTimeout(entry.idleTimer);
    this.forget(entry);
    try {
      entry.session.close();
    } catch {
      // Already closed by the OS or the library: nothing left to release.
    }
  }

  private forget(entry: PooledSession): void {
    entry.closed = true;
    clearTimeout(entry.idleTimer);
    if (this.ready.get(entry.key) === entry) this.ready.delete(entry.key);
  }
}

function poolKey(spec: SessionSpec): string {
  const { version, community, v3 } = spec.credentials;
  // A plain key (no hash): it is computed for every job, stays in memory only, and is never logged.
  return `${spec.host}|${spec.port}|${JSON.stringify([version, community ?? null, v3 ?? null])}`;
}

function toV3User(credentials: SnmpCredentials): V3User {
  const v3 = credentials.v3!;
  const user: V3User = { name: v3.user, level: snmp.SecurityLevel[v3.level]! };
  if (v3.authProtocol !== undefined) user.authProtocol = snmp.AuthProtocols[v3.authProtocol]!;
  if (v3.authKey !== undefined) user.authKey = v3.authKey;
  if (v3.privProtocol !== undefined) user.privProtocol = snmp.PrivProtocols[v3.privProtocol]!;
  if (v3.privKey !== undefined) user.privKey = v3.privKey;
  return user;
}
