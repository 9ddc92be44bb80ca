import type { Logger } from '../../../common/logger.js';
import { describeError } from '../../../common/usm-error.js';
import type { PreparedJob } from '../protocol/decode-job.js';
import type { ResultParts } from '../protocol/result.js';
import type { Outcome } from '../executors/executor.js';

export interface ExecuteOptions {
  log: Logger;
  /** Aborts every job at once (forced shutdown). */
  shutdown?: AbortSignal;
  now?: () => number;
}

/**
 * Runs one prepared job within its budget. The deadline wins a race against
 * the executor: at `timeoutMs` the job's signal is aborted and the result is
 * `timeout` with the last partial data, without waiting for the executor to
 * notice. An expired job never reaches its executor.
 */
export async function executeJob(job: PreparedJob, options: ExecuteOptions): Promise<ResultParts> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const base = { id: job.id, type: job.type, startedAt };

  if (job.expiresAt !== undefined && startedAt > job.expiresAt) {
    return { ...base, status: 'expired', error: { code: 'E_EXPIRED', message: `job expired at ${new Date(job.expiresAt).toISOString()}` }, finishedAt: now() };
  }

  const controller = new AbortController();
  const onShutdown = () => controller.abort(new Error('poller shutting down'));
  if (options.shutdown?.aborted) onShutdown();
  options.shutdown?.addEventListener('abort', onShutdown, { once: true });

  let partial: Record<string, unknown> | null = null;
  let timer: NodeJS.Timeout | undefined;
  const deadline = startedAt + job.timeoutMs;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), job.timeoutMs);
    controller.signal.addEventListener('abort', () => resolve('timeout'), { once: true });
  });

  const log = options.log.child({ job: job.id, type: job.type });
  const running = job.executor
    .run(
      { id: job.id, type: job.type, target: job.target, params: job.params, timeoutMs: job.timeoutMs },
      { signal: controller.signal, deadline, log, setPartial: (data) => { partial = data; } },
    )
    .catch((error: unknown): Outcome => {
      log.error({ err: describeError(error) }, 'executor threw');
      return { status: 'error', error: { code: 'E_INTERNAL', message: describeError(error) } };
    });

  try {
    const outcome = await Promise.race([running, timedOut]);
    if (outcome === 'timeout') {
      controller.abort(new Error('job deadline'));
      const reason = options.shutdown?.aborted ? 'the poller shut down before the job finished' : `job took longer than ${job.timeoutMs} ms`;
      return { ...base, status: 'timeout', data: partial, error: { code: 'E_TIMEOUT', message: reason }, finishedAt: now() };
    }
    if (outcome.status === 'ok') return { ...base, status: 'ok', data: outcome.data, finishedAt: now() };
    // A device that never answered within the executor's own retries is a timeout too, not a generic error.
    const status = outcome.error.code === 'E_TIMEOUT' ? 'timeout' : 'error';
    return { ...base, status, data: outcome.data ?? null, error: outcome.error, finishedAt: now() };
  } finally {
    clearTimeout(timer);
    options.shutdown?.removeEventListener('abort', onShutdown);
    // Executors release sockets and children on abort; a finished job aborts too so nothing lingers.
    if (!controller.signal.aborted) controller.abort(new Error('job finished'));
  }
}
