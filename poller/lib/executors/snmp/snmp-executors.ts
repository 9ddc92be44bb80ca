import type { ExecutorGroup, ExecutorOptions } from '../executor.js';

/** Placeholder until the snmp executors land: no types registered, so such jobs are answered `invalid` (unknown type). */
export function createSnmpExecutors(_options: ExecutorOptions): ExecutorGroup {
  return { executors: [], close: async () => {} };
}
