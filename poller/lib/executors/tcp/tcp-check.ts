import { Socket } from 'node:net';
import { z } from 'zod';
import type { Executor, ExecutorGroup, Outcome } from '../executor.js';
import { failed } from '../executor.js';

const paramsSchema = z.strictObject({
  port: z.number().int().min(1).max(65535).optional(),
});
type TcpParams = z.infer<typeof paramsSchema>;

/**
 * `tcp.check`: can a TCP connection be opened, and how long did it take.
 * A refused or unreachable port is an ok result with `open: false` plus the
 * reason, because "closed" is the answer the operator asked for.
 */
const tcpCheck: Executor<TcpParams> = {
  type: 'tcp.check',
  params: paramsSchema,
  check(target, params) {
    if (params.port === undefined && target?.port === undefined) return 'params.port: required (or target.port)';
    return undefined;
  },
  run(job, ctx) {
    const host = job.target!.host;
    const port = job.params.port ?? job.target!.port!;
    return connectOnce(host, port, ctx.signal);
  },
};

function connectOnce(host: string, port: number, signal: AbortSignal): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = new Socket();
    const finish = (outcome: Outcome) => {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = () => finish(failed('E_TIMEOUT', `no TCP answer from ${host}:${port} within the job budget`, { open: false }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      finish({ status: 'ok', data: { open: true, connectMs: round(performance.now() - started) } });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const connectMs = round(performance.now() - started);
      if (error.code === 'ECONNREFUSED') return finish({ status: 'ok', data: { open: false, connectMs, reason: 'refused' } });
      if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') return finish(failed('E_UNREACHABLE', `cannot resolve ${host}`, { open: false }));
      finish({ status: 'ok', data: { open: false, connectMs, reason: error.code ?? error.message } });
    });
    socket.connect({ host, port });
  });
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export function createTcpExecutors(): ExecutorGroup {
  return { executors: [tcpCheck], close: async () => {} };
}
