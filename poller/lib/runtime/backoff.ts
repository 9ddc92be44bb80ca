/**
 * Capped exponential backoff with jitter, so a fleet of satellites does not
 * reconnect in lockstep after a broker restart. Pure (random injected).
 */
export function backoffDelay(attempt: number, maxMs: number, random: () => number = Math.random, baseMs = 250): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  const jitter = 0.8 + random() * 0.4;
  return Math.round(Math.min(maxMs, exponential * jitter));
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
