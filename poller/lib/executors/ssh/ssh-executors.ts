import type { ExecutorGroup, ExecutorOptions } from '../executor.js';

/** Placeholder until the ssh executors land: no types registered, so such jobs are answered `invalid` (unknown type). */
export function createSshExecutors(_options: ExecutorOptions): ExecutorGroup {
  return { executors: [], close: async () => {} };
}
