import type { Executor } from '../executors/executor.js';
import type { JobTarget } from './job-schema.js';
import { jobEnvelopeSchema } from './job-schema.js';
import { listZodProblems } from '../../../common/zod-problems.js';
import { collectSecrets, measureDepth } from '../../../common/secret-text.js';

export interface MessageMeta {
  messageId?: string | undefined;
  correlationId?: string | undefined;
}

export interface PreparedJob {
  id: string;
  type: string;
  target: JobTarget | undefined;
  timeoutMs: number;
  /** Epoch ms, or undefined when the job does not expire. */
  expiresAt: number | undefined;
  params: unknown;
  executor: Executor;
  /** Secret values from params, scrubbed from anything the poller publishes or logs. */
  secrets: string[];
}

export interface InvalidJob {
  /** Best-known id (body, then message_id, then correlation_id), or null. */
  id: string | null;
  /** The job's type when it is a plain string, else "invalid". Used in the result and its routing key. */
  type: string;
  problems: string[];
  secrets: string[];
}

export type DecodedJob = { ok: true; job: PreparedJob } | { ok: false; invalid: InvalidJob };

export interface DecodeOptions {
  maxBytes: number;
  lookup(type: string): Executor | undefined;
}

const SAFE_TYPE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const MAX_DEPTH = 32;

/** Pure: bytes + AMQP properties in, a runnable job or the reasons it is invalid out. */
export function decodeJob(body: Uint8Array, meta: MessageMeta, options: DecodeOptions): DecodedJob {
  const fallbackId = meta.messageId || meta.correlationId || null;
  const invalid = (problems: string[], raw?: Record<string, unknown>): DecodedJob => ({
    ok: false,
    invalid: {
      id: typeof raw?.id === 'string' && raw.id.length > 0 && raw.id.length <= 128 ? raw.id : fallbackId,
      type: typeof raw?.type === 'string' && SAFE_TYPE.test(raw.type) ? raw.type : 'invalid',
      problems,
      secrets: raw ? collectSecrets(raw.params) : [],
    },
  });

  if (body.byteLength > options.maxBytes) return invalid([`body: ${body.byteLength} bytes is over the ${options.maxBytes}-byte limit`]);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch (error) {
    return invalid([`body: not valid JSON (${(error as Error).message})`]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return invalid(['body: must be a JSON object']);
  // No job type needs more; deeper bodies are hostile and would only cost stack and CPU further on.
  if (measureDepth(raw) > MAX_DEPTH) return invalid([`body: nested deeper than ${MAX_DEPTH} levels`]);
  const record = raw as Record<string, unknown>;

  const envelope = jobEnvelopeSchema.safeParse(record);
  if (!envelope.success) return invalid(listZodProblems(envelope.error), record);
  const job = envelope.data;

  const id = job.id ?? fallbackId;
  if (id === null) return invalid(['id: required (in the body, or as message_id / correlation_id)'], record);

  const executor = options.lookup(job.type);
  if (!executor) return invalid([`type: unknown job type "${job.type}"`], record);

  const params = executor.params.safeParse(job.params);
  if (!params.success) return invalid(listZodProblems(params.error, 'params'), record);

  if (executor.requiresTarget !== false && job.target === undefined) return invalid(['target: required for this job type'], record);
  const crossField = executor.check?.(job.target, params.data);
  if (crossField) return invalid([crossField], record);

  return {
    ok: true,
    job: {
      id,
      type: job.type,
      target: job.target,
      timeoutMs: job.timeoutMs,
      expiresAt: job.expiresAt === undefined ? undefined : Date.parse(job.expiresAt),
      params: params.data,
      executor,
      secrets: collectSecrets(job.params),
    },
  };
}
