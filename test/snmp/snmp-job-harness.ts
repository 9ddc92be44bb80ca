/**
 * Runs snmp executors in tests: directly (`runSnmpJob`, params parsed by the
 * executor's schema, an AbortController at the deadline) or through the real
 * decodeJob + executeJob path (`runSnmpJobThroughRuntime`). `captureLogger`
 * gives a pino logger whose JSON lines the test can read back.
 */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../common/logger.js';
import type { ExecutorGroup, Outcome } from '../../poller/lib/executors/executor.js';
import { decodeJob } from '../../poller/lib/protocol/decode-job.js';
import type { ResultParts } from '../../poller/lib/protocol/result.js';
import { executeJob } from '../../poller/lib/runtime/execute-job.js';

export interface CapturedLogger {
  log: Logger;
  /** Every line written so far, raw. */
  text(): string;
}

export function captureLogger(): CapturedLogger {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { log: createLogger({ level: 'trace', stream }), text: () => chunks.join('') };
}

export interface SnmpTarget {
  host: string;
  port: number;
}

export interface DirectRun {
  outcome: Outcome;
  partial: Record<string, unknown> | null;
}

export async function runSnmpJob(
  group: ExecutorGroup,
  type: string,
  target: SnmpTarget,
  params: Record<string, unknown>,
  options: { timeoutMs?: number; log: Logger },
): Promise<DirectRun> {
  const executor = group.executors.find((e) => e.type === type);
  if (!executor) throw new Error(`no executor for ${type}`);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('job deadline')), timeoutMs);
  let partial: Record<string, unknown> | null = null;
  try {
    const outcome = await executor.run(
      { id: 'test-job', type, target, params: executor.params.parse(params), timeoutMs },
      { signal: controller.signal, deadline: Date.now() + timeoutMs, log: options.log, setPartial: (data) => (partial = data) },
    );
    return { outcome, partial };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

export async function runSnmpJobThroughRuntime(
  group: ExecutorGroup,
  job: { type: string; target: SnmpTarget; params: Record<string, unknown>; timeoutMs: number },
  log: Logger,
): Promise<ResultParts> {
  const body = Buffer.from(JSON.stringify({ v: 1, id: 'runtime-job', ...job }));
  const decoded = decodeJob(body, {}, { maxBytes: 1 << 20, lookup: (type) => group.executors.find((e) => e.type === type) });
  if (!decoded.ok) throw new Error(`job invalid: ${decoded.invalid.problems.join('; ')}`);
  return executeJob(decoded.job, { log });
}

/** Narrows an outcome for assertions. */
export function okData(outcome: Outcome): Record<string, unknown> {
  if (outcome.status !== 'ok') throw new Error(`expected ok, got ${outcome.error.code}: ${outcome.error.message}`);
  return outcome.data;
}

export interface TestVarbind {
  oid: string;
  type: string;
  value: unknown;
  hex?: string;
}

export function varbindsOf(outcome: Outcome): TestVarbind[] {
  return okData(outcome).varbinds as TestVarbind[];
}
