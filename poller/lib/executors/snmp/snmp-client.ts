import type { ResponseCallback, Session } from 'net-snmp';
import type { SessionLease, SessionPool, SessionSpec } from './session-pool.js';
import type { TargetLimiter } from './target-limiter.js';

export type RequestResult<T> =
  | { ok: true; value: T }
  /** `aborted`: the job's signal fired (deadline or shutdown) before an answer. */
  | { ok: false; aborted: boolean; error: unknown };

export interface SnmpClientDeps {
  pool: SessionPool;
  limiter: TargetLimiter;
  /** Upper bound of one attempt; the job budget is split over 1 + retries attempts below that. */
  maxAttemptMs: number;
  /** Told the outcome of every request sent (metrics). */
  onRequest?(outcome: 'ok' | 'timeout' | 'error'): void;
}

export interface RequestContext {
  signal: AbortSignal;
  deadline: number;
}

/** A job's handle on its pooled session: every request honours the per-target cap and the job deadline. */
export interface SnmpClient {
  request<T>(start: (session: Session, done: ResponseCallback<T>) => void): Promise<RequestResult<T>>;
  close(): void;
}

// Leaves the runtime a moment to publish the job's own timeout result after ours.
const DEADLINE_MARGIN_MS = 20;
const MIN_ATTEMPT_MS = 10;

export async function openSnmpClient(deps: SnmpClientDeps, spec: SessionSpec, ctx: RequestContext): Promise<SnmpClient> {
  const lease: SessionLease = await deps.pool.acquire(spec);
  const targetKey = `${spec.host}|${spec.port}`;
  const retries = spec.credentials.retries;
  return {
    close: () => lease.release(),
    async request<T>(start: (session: Session, done: ResponseCallback<T>) => void): Promise<RequestResult<T>> {
      const releaseSlot = await deps.limiter.acquire(targetKey, ctx.signal);
      if (!releaseSlot) return { ok: false, aborted: true, error: new Error('job deadline reached while queued') };
      try {
        const remaining = ctx.deadline - Date.now() - DEADLINE_MARGIN_MS;
        if (ctx.signal.aborted || remaining < MIN_ATTEMPT_MS) return { ok: false, aborted: true, error: new Error('job deadline reached') };
        const attemptMs = Math.max(MIN_ATTEMPT_MS, Math.min(deps.maxAttemptMs, Math.floor(remaining / (retries + 1))));
        const result = await sendOnce(lease.session, attemptMs, retries, ctx.signal, start);
        deps.onRequest?.(result.ok ? 'ok' : result.aborted || isRequestTimeout(result.error) ? 'timeout' : 'error');
        return result;
      } finally {
        releaseSlot();
      }
    },
  };
}

function sendOnce<T>(
  session: Session,
  attemptMs: number,
  retries: number,
  signal: AbortSignal,
  start: (session: Session, done: ResponseCallback<T>) => void,
): Promise<RequestResult<T>> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: RequestResult<T>) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(result);
    };
    // net-snmp calls this from its socket 'message' handler: it must never throw.
    const done: ResponseCallback<T> = (error, value) => {
      if (error) settle({ ok: false, aborted: false, error });
      else settle({ ok: true, value: value as T });
    };
    const onAbort = () => {
      cancelPending(session, done);
      settle({ ok: false, aborted: true, error: new Error('job deadline reached') });
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    // net-snmp copies timeout/retries into each request when it is created (synchronously here),
    // so setting them on the shared session applies them to this request only.
    session.timeout = attemptMs;
    session.retries = retries;
    try {
      start(session, done);
    } catch (error) {
      settle({ ok: false, aborted: false, error });
    }
  });
}

/** Drops our request from the session so its retry timer stops and a late answer is ignored. */
function cancelPending(session: Session, done: unknown): void {
  for (const req of Object.values(session.reqs)) {
    if (req.responseCb === done) session.unregisterRequest(req.getId());
  }
}

function isRequestTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'RequestTimedOutError' || /timed out/i.test(error.message));
}
