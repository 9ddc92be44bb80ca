import type { Logger } from '../../common/logger.js';
import type { ExecutorGroup } from '../../poller/lib/executors/executor.js';
import { decodeJob } from '../../poller/lib/protocol/decode-job.js';
import type { ResultParts } from '../../poller/lib/protocol/result.js';
import { executeJob } from '../../poller/lib/runtime/execute-job.js';

/**
 * Runs one job the way the poller does after a delivery (decodeJob, then
 * executeJob with its deadline race) but without the broker, and times it.
 */
export async function runInProcess(group: ExecutorGroup, job: Record<string, unknown>, log: Logger): Promise<{ result: ResultParts; ms: number }> {
  const started = performance.now();
  const body = Buffer.from(JSON.stringify({ v: 1, id: 'bench-job', ...job }));
  const decoded = decodeJob(body, {}, { maxBytes: 64 << 20, lookup: (type) => group.executors.find((e) => e.type === type) });
  if (!decoded.ok) throw new Error(`bench job is invalid: ${decoded.invalid.problems.join('; ')}`);
  const result = await executeJob(decoded.job, { log });
  return { result, ms: performance.now() - started };
}
