import { Socket } from 'node:net';
import { CliSession } from '../cli-session/cli-session.js';
import type { OutputBudget } from '../cli-session/output-budget.js';
import type { PagerSpec } from '../cli-session/cli-params.js';
import { TelnetDecoder, encodeTelnetText } from './telnet-protocol.js';
import { classifyConnectError } from '../cli-session/connect-error.js';

export type ConnectResult =
  | { ok: true; session: CliSession; close(): void }
  | { ok: false; code: string; message: string };

export interface TelnetConnectOptions {
  host: string;
  port: number;
  connectTimeoutMs: number;
  pager?: PagerSpec | undefined;
  budget: OutputBudget;
  signal: AbortSignal;
}

/** Opens a TCP connection and puts a CliSession on it, with IAC negotiation answered underneath. */
export function connectTelnet(options: TelnetConnectOptions): Promise<ConnectResult> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const decoder = new TelnetDecoder();
    let settled = false;
    const close = () => {
      socket.destroy();
    };
    // Attached for the socket's whole life: a reset after login must not crash the poller.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!settled) return fail(classifyConnectError(error, options.host, options.port));
      session.end();
    });
    const session = new CliSession({ write: (text) => { if (!socket.destroyed) socket.write(encodeTelnetText(text)); } }, options);
    const timer = setTimeout(() => fail({ code: 'E_UNREACHABLE', message: `no TCP answer from ${options.host}:${options.port} within ${options.connectTimeoutMs} ms` }), options.connectTimeoutMs);
    const onAbort = () => fail({ code: 'E_TIMEOUT', message: 'job deadline reached while connecting' });
    options.signal.addEventListener('abort', onAbort, { once: true });

    function fail(error: { code: string; message: string }) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      session.dispose();
      socket.destroy();
      resolve({ ok: false, ...error });
    }

    socket.on('data', (chunk: Buffer) => {
      const decoded = decoder.feed(chunk);
      if (decoded.reply.length > 0 && !socket.destroyed) socket.write(decoded.reply);
      if (decoded.data.length > 0) session.feed(decoded.data);
    });
    socket.on('close', () => session.end());
    socket.once('connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      resolve({ ok: true, session, close });
    });
    if (options.signal.aborted) return onAbort();
    socket.connect({ host: options.host, port: options.port });
  });
}
