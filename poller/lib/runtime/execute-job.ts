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

// Shared reasons: an Error per job would capture a stack trace on the hot path for nothing.
const DEADLINE = new Error('job deadline');
const FINISHED = new Error('job finished');

/**
 * Runs one prepared job within its budget. The deadline wins a race against
 * the executor: at `timeoutMs` (or on a forced shutdown) the job's signal is
 * aborted and the result is `timeout` with the last partial data, without
 * waiting for the executor to notice. An expired job never reaches its executor.
 */
export function executeJob(job: PreparedJob, options: ExecuteOptions): Promise<ResultParts> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  if (job.expiresAt !== undefined && startedAt > job.expiresAt) {
    return Promise.resolve({
      id: job.id, type: job.type, startedAt, status: 'expired', finishedAt: now(),
      error: { code: 'E_EXPIRED', message: `job expired at ${new Date(job.expiresAt).toISOString()}` },
    });
  }
  const { shutdown } = options;
  const controller = new AbortController();
  let partial: Record<string, unknown> | null = null;
  // A pino child costs more than the rest of a fast job (redaction is compiled per child):
  // make it only when something is logged.
  let childLog: Logger | undefined;
  const jobLog = () => (childLog ??= options.log.child({ job: job.id, type: job.type }));

  return new Promise<ResultParts>((resolve) => {
    let settled = false;
    const finish = (parts: Omit<ResultParts, 'id' | 'type' | 'startedAt' | 'finishedAt'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      shutdown?.removeEventListener('abort', onTimeout);
      // Executors release sockets and children on abort; a finished job aborts too so nothing lingers.
      if (!controller.signal.aborted) controller.abort(FINISHED);
      resolve({ id: job.id, type: job.type, startedAt, finishedAt: now(), ...parts });
    };
    function onTimeout() {
      controller.abort(DEADLINE);
      const message = shutdown?.aborted ? 'the poller shut down before the job finished' : `job took longer than ${job.timeoutMs} ms`;
      finish({ status: 'timeout', data: partial, error: { code: 'E_TIMEOUT', message } });
    }
    const timer = setTimeout(onTimeout, job.timeoutMs);
    if (shutdown?.aborted) return onTimeout();
    shutdown?.addEventListener('abort', onTimeout, { once: true });

    let running: Promise<Outcome>;
    try {
      running = job.executor.run(
        { id: job.id, type: job.type, target: job.target, params: job.params, timeoutMs: job.timeoutMs },
        { signal: controller.signal, deadline: startedAt + job.timeoutMs, get log() { return jobLog(); }, setPartial: (data) => { partial = data; } },
      );
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (outcome) => {
        if (outcome.status === 'ok') return finish({ status: 'ok', data: outcome.data });
        // A device that never answered within the executor's own retries is a timeout too, not a generic error.
        finish({ status: outcome.error.code === 'E_TIMEOUT' ? 'timeout' : 'error', data: outcome.data ?? null, error: outcome.error });
      },
      (error: unknown) => {
        jobLog().error({ err: describeError(error) }, 'executor threw');
        finish({ status: 'error', data: null, error: { code: 'E_INTERNAL', message: describeError(error) } });
      },
    );
  });
}
