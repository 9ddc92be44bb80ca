import { Writable } from 'node:stream';
import type { Executor } from '../../poller/lib/executors/executor.js';
import { decodeJob } from '../../poller/lib/protocol/decode-job.js';
import { executeJob } from '../../poller/lib/runtime/execute-job.js';
import type { ResultParts } from '../../poller/lib/protocol/result.js';
import { createLogger, type Logger } from '../../common/logger.js';

export interface JobBody {
  type: string;
  target?: { host: string; port?: number };
  timeoutMs?: number;
  params: Record<string, unknown>;
}

export type JobRun = { invalid: string[] } | { invalid: null; result: ResultParts };

/** Runs a job body through the real decode + runtime path (validation, deadline race, partial data). */
export async function runCliJob(executor: Executor, body: JobBody, log: Logger = createLogger({ level: 'silent' })): Promise<JobRun> {
  const bytes = Buffer.from(JSON.stringify({ v: 1, id: 'test-job', ...body }));
  const decoded = decodeJob(bytes, {}, { maxBytes: 1024 * 1024, lookup: (type) => (type === executor.type ? executor : undefined) });
  if (!decoded.ok) return { invalid: decoded.invalid.problems };
  return { invalid: null, result: await executeJob(decoded.job, { log }) };
}

/** The result of a job that must have passed validation. */
export async function runValidJob(executor: Executor, body: JobBody, log?: Logger): Promise<ResultParts> {
  const run = await runCliJob(executor, body, log);
  if (run.invalid) throw new Error(`job unexpectedly invalid: ${run.invalid.join('; ')}`);
  return run.result;
}

/** A trace-level logger whose JSON records are kept for assertions. */
export function createCapturingLogger(): { log: Logger; records: () => Array<Record<string, unknown>>; text: () => string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
      done();
    },
  });
  const log = createLogger({ level: 'trace', stream });
  return {
    log,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => lines.join('\n'),
  };
}

export interface OutputRow {
  command: string;
  output: string;
  exitCode?: number | null;
  stderr?: string;
  timedOut?: boolean;
  truncated?: boolean;
}

export function outputsOf(result: ResultParts): OutputRow[] {
  return ((result.data ?? {}) as { outputs?: OutputRow[] }).outputs ?? [];
}
