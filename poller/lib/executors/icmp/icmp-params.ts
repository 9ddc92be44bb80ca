import { z } from 'zod';
import { hostSchema } from '../../protocol/job-schema.js';
import type { JobTarget } from '../../protocol/job-schema.js';

export const MAX_SWEEP_HOSTS = 4096;

/**
 * `icmp.ping` params. `intervalMs` is the gap between echoes to one host;
 * 10 ms is the least fping allows without root. `sizeBytes` is the ICMP
 * payload: at least 16 so iputils ping can time replies, at most what fping
 * accepts.
 */
export const icmpParamsSchema = z.strictObject({
  count: z.number().int().min(1).max(100).default(3),
  intervalMs: z.number().int().min(10).max(60_000).default(1000),
  sizeBytes: z.number().int().min(16).max(65_487).default(56),
  hosts: z.array(hostSchema).min(1).max(MAX_SWEEP_HOSTS).optional(),
});
export type IcmpParams = z.infer<typeof icmpParamsSchema>;

/** Exactly one of `target` (one host) or `params.hosts` (a sweep). */
export function checkIcmpTarget(target: JobTarget | undefined, params: IcmpParams): string | undefined {
  if (target !== undefined && params.hosts !== undefined) return 'params.hosts: give either target or params.hosts, not both';
  if (target === undefined && params.hosts === undefined) return 'target: required (or params.hosts for a sweep)';
  return undefined;
}

/** The hosts to ping, once each, in the order first given. */
export function listHosts(target: JobTarget | undefined, params: IcmpParams): string[] {
  return [...new Set(params.hosts ?? (target ? [target.host] : []))];
}
