import { createHash } from 'node:crypto';
import { Client, type AnyAuthMethod, type AuthenticationType, type ConnectConfig, type NextAuthHandler, type ParsedKey } from 'ssh2';
import type { SshParams, AlgorithmOverrides } from './ssh-params.js';
import { normalizeHostKeyPin } from './ssh-params.js';
import { classifyConnectError } from '../cli-session/connect-error.js';

export type SshConnectResult =
  | { ok: true; client: Client; hostKey: string }
  | { ok: false; code: string; message: string; hostKey: string | null };

export interface SshConnectOptions {
  host: string;
  port: number;
  params: SshParams;
  /** params.privateKey already decrypted (once per job: decryption of an encrypted key is costly); required when the params have one. */
  privateKey?: ParsedKey | undefined;
  /** Budget for TCP connect + key exchange + authentication. */
  readyTimeoutMs: number;
  signal: AbortSignal;
}

/** "SHA256:<unpadded base64>" of the raw host key blob, the way OpenSSH prints fingerprints. */
export function fingerprintHostKey(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/**
 * One SSH connection per job (no reuse: a job's credentials and algorithm
 * overrides must never leak into another job's session). Resolves once the
 * session is authenticated, or with a classified error: E_REFUSED,
 * E_UNREACHABLE, E_TIMEOUT (TCP up, no handshake), E_HANDSHAKE (no common
 * algorithm: set `algorithms`), E_HOSTKEY (pin mismatch), E_AUTH.
 */
export function connectSsh(options: SshConnectOptions): Promise<SshConnectResult> {
  const { host, port, params } = options;
  return new Promise((resolve) => {
    const client = new Client();
    let hostKey: string | null = null;
    let hostKeyRejected = false;
    let tcpConnected = false;
    let settled = false;

    const settle = (result: SshConnectResult) => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener('abort', onAbort);
      if (!result.ok) client.destroy();
      resolve(result);
    };
    const onAbort = () => settle({ ok: false, code: 'E_TIMEOUT', message: `${host}:${port}: job deadline reached while connecting`, hostKey });

    // Stays attached for the client's whole life: a reset or garbage packet later must not crash the poller.
    client.on('error', (error: Error & { level?: string; code?: string }) => {
      settle(classifySshError(error, { host, port, tcpConnected, hostKeyRejected, hostKey }));
    });
    client.on('ready', () => settle({ ok: true, client, hostKey: hostKey ?? 'unknown' }));
    client.on('close', () => settle({ ok: false, code: 'E_CLOSED', message: `${host}:${port}: connection closed before the session was ready`, hostKey }));

    if (options.signal.aborted) return onAbort();
    options.signal.addEventListener('abort', onAbort, { once: true });

    const config: ConnectConfig = {
      host,
      port,
      username: params.username,
      readyTimeout: options.readyTimeoutMs,
      keepaliveInterval: 0,
      hostVerifier: (key: Buffer) => {
        hostKey = fingerprintHostKey(key);
        if (params.hostKeySha256 !== undefined && normalizeHostKeyPin(params.hostKeySha256) !== hostKey) {
          hostKeyRejected = true;
          return false;
        }
        return true;
      },
      authHandler: buildAuthHandler(params, options.privateKey),
    };
    const algorithms = buildAlgorithms(params.algorithms);
    if (algorithms) config.algorithms = algorithms;
    // A TCP connect tells a silent SSH server (E_TIMEOUT) from an unreachable host (E_UNREACHABLE).
    client.on('connect', () => { tcpConnected = true; });
    try {
      client.connect(config);
    } catch (error) {
      settle({ ok: false, code: 'E_HANDSHAKE', message: `${host}:${port}: ${(error as Error).message}`, hostKey });
    }
  });
}

function buildAlgorithms(overrides: AlgorithmOverrides | undefined): ConnectConfig['algorithms'] | undefined {
  if (!overrides) return undefined;
  // Appended, not replacing: modern peers keep negotiating modern algorithms, old ones can fall back to these.
  const append = (list: readonly string[] | undefined) => (list ? { append: [...list] } : undefined);
  const result: Record<string, unknown> = {};
  if (overrides.kex) result.kex = append(overrides.kex);
  if (overrides.cipher) result.cipher = append(overrides.cipher);
  if (overrides.serverHostKey) result.serverHostKey = append(overrides.serverHostKey);
  if (overrides.hmac) result.hmac = append(overrides.hmac);
  return result as ConnectConfig['algorithms'];
}

/** Tries public key, then password, then keyboard-interactive answering every prompt with the password; skips what the server does not offer. */
function buildAuthHandler(params: SshParams, privateKey: ParsedKey | undefined) {
  const methods: AnyAuthMethod[] = [];
  const username = params.username;
  if (privateKey !== undefined) methods.push({ type: 'publickey', username, key: privateKey });
  if (params.password !== undefined) {
    const password = params.password;
    methods.push({ type: 'password', username, password });
    methods.push({
      type: 'keyboard-interactive',
      username,
      prompt: (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => password)),
    });
  }
  return (authsLeft: AuthenticationType[] | null, _partial: boolean | null, next: NextAuthHandler): void => {
    while (methods.length > 0) {
      const method = methods.shift()!;
      if (!authsLeft || authsLeft.length === 0 || authsLeft.includes(method.type)) return next(method);
    }
    (next as unknown as (method: false) => void)(false);
  };
}

interface ErrorContext {
  host: string;
  port: number;
  tcpConnected: boolean;
  hostKeyRejected: boolean;
  hostKey: string | null;
}

function classifySshError(error: Error & { level?: string; code?: string }, context: ErrorContext): SshConnectResult {
  const where = `${context.host}:${context.port}`;
  const fail = (code: string, message: string): SshConnectResult => ({ ok: false, code, message: `${where}: ${message}`, hostKey: context.hostKey });
  if (context.hostKeyRejected) return fail('E_HOSTKEY', `host key ${context.hostKey} does not match params.hostKeySha256`);
  if (error.level === 'client-authentication') return fail('E_AUTH', 'authentication failed (all offered methods were refused)');
  if (error.level === 'client-timeout') {
    return context.tcpConnected ? fail('E_TIMEOUT', 'no SSH handshake within the time limit') : fail('E_UNREACHABLE', 'no TCP answer within the time limit');
  }
  if (error.level === 'client-socket' && error.code !== undefined) {
    const classified = classifyConnectError(error as NodeJS.ErrnoException, context.host, context.port);
    return { ok: false, ...classified, hostKey: context.hostKey };
  }
  if (/^Handshake failed|no matching/i.test(error.message)) {
    return fail('E_HANDSHAKE', `${error.message} (old gear: allow its algorithms with params.algorithms)`);
  }
  return fail('E_SSH', error.message);
}
