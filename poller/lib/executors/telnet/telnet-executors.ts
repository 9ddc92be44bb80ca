import type { ExecutorGroup, ExecutorOptions } from '../executor.js';

/** Placeholder until the telnet executors land: no types registered, so such jobs are answered `invalid` (unknown type). */
export function createTelnetExecutors(_options: ExecutorOptions): ExecutorGroup {
  return { executors: [], close: async () => {} };
}
