import type { z } from 'zod';
import type { Logger } from '../../../common/logger.js';
import type { JobTarget } from '../protocol/job-schema.js';
import type { ResultError } from '../protocol/result.js';

/**
 * What an executor returns. Failures expected per device (timeouts, refusals,
 * bad credentials, SNMP error statuses) are outcomes, never exceptions. A
 * thrown error becomes `E_INTERNAL`.
 */
export type Outcome =
  | { status: 'ok'; data: Record<string, unknown> }
  | { status: 'error'; error: ResultError; data?: Record<string, unknown> | null };

export interface ExecutionContext {
  /** Aborted at the job deadline or on a forced shutdown: stop work, kill children, close sockets. */
  readonly signal: AbortSignal;
  /** Epoch milliseconds at which the job's budget (`timeoutMs`) runs out. */
  readonly deadline: number;
  readonly log: Logger;
  /** Records data gathered so far; a job that times out reports the last value given here. */
  setPartial(data: Record<string, unknown>): void;
}

export interface ExecutorJob<P> {
  id: string;
  type: string;
  /** Present unless the executor accepts jobs without one (an ICMP sweep over `hosts`). */
  target: JobTarget | undefined;
  params: P;
  timeoutMs: number;
}

export interface Executor<P = any> {
  readonly type: string;
  /** Strict zod schema of `params`; its issues are reported as `params.<field>: ...`. */
  readonly params: z.ZodType<P>;
  /** Whether `target` is required. Default true. */
  readonly requiresTarget?: boolean;
  /** Cross-field check of target and params; returns one line naming the field, or undefined. */
  check?(target: JobTarget | undefined, params: P): string | undefined;
  run(job: ExecutorJob<P>, ctx: ExecutionContext): Promise<Outcome>;
}

/** A family of executors that may share resources (SNMP sessions, child processes). */
export interface ExecutorGroup {
  readonly executors: readonly Executor[];
  /** Releases shared resources (sockets, timers, children). Called once at shutdown. */
  close(): Promise<void>;
}

export interface ExecutorOptions {
  log: Logger;
  /** In-flight SNMP requests per device (USM_POLLER_SNMP_MAX_PER_TARGET); default 16. */
  snmpMaxPerTarget?: number;
  /** Called once per SNMP request sent (metrics); optional. */
  onSnmpRequest?(outcome: 'ok' | 'timeout' | 'error'): void;
}

/** Outcome helper for a per-device failure. */
export function failed(code: string, message: string, data?: Record<string, unknown> | null): Outcome {
  return { status: 'error', error: { code, message }, data: data ?? null };
}
