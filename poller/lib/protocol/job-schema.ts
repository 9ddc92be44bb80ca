import { z } from 'zod';

/** Job protocol version 1 envelope (../shared/spec/job-protocol.md). Params are checked per type by the executor. */
export const PROTOCOL_VERSION = 1;
export const DEFAULT_TIMEOUT_MS = 10_000;
export const MAX_TIMEOUT_MS = 600_000;

export const hostSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:_%-]+$/, 'must be an IPv4 or IPv6 address or a host name');

export const targetSchema = z.strictObject({
  host: hostSchema,
  port: z.number().int().min(1).max(65535).optional(),
});

export const jobIdSchema = z.string().min(1).max(128);

export const jobEnvelopeSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  id: jobIdSchema.optional(),
  type: z.string().min(1).max(64),
  target: targetSchema.optional(),
  timeoutMs: z.number().int().min(1).max(MAX_TIMEOUT_MS).default(DEFAULT_TIMEOUT_MS),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  params: z.record(z.string(), z.unknown()).default({}),
});

export type JobEnvelope = z.infer<typeof jobEnvelopeSchema>;
export type JobTarget = z.infer<typeof targetSchema>;
