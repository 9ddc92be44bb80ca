import { z } from 'zod';
import { isIP } from 'node:net';
import { parseLogLevelSpec } from '../../../common/logger.js';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const intFrom = (min: number, max: number, fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .optional()
    .transform((value) => value ?? fallback);

const amqpUrl = z.string().trim().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'amqp:' || url.protocol === 'amqps:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'each URL must look like amqp://user:password@host:5672/%2f or amqps://...');

const optionalPath = z.string().trim().min(1).optional();

/** The poller's environment. Names of the original usm_poller are kept (`US_AMQP_DSN`, `USM_POLLER_SATELLITE_ID`). */
export const pollerEnvSchema = z.object({
  US_AMQP_DSN: z
    .string({ error: 'required: the RabbitMQ URL(s), e.g. amqp://user:password@host:5672/%2f' })
    .trim()
    .min(1, 'required: the RabbitMQ URL(s), e.g. amqp://user:password@host:5672/%2f')
    .transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean))
    .pipe(z.array(amqpUrl).min(1)),
  USM_POLLER_SATELLITE_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  USM_POLLER_CONCURRENCY: intFrom(1, 10_000, 64),
  // LEVEL, or LEVEL,COMPONENT=LEVEL,... (components: snmp, icmp, ssh, telnet, tcp), e.g. "info,snmp=debug".
  USM_POLLER_LOG_LEVEL: z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      try {
        return parseLogLevelSpec(value, 'info');
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be one of ${LEVELS.join('|')}, optionally followed by ,component=level` });
        return z.NEVER;
      }
    }),
  USM_POLLER_DELIVERY_LIMIT: intFrom(1, 1000, 5),
  USM_POLLER_SNMP_MAX_PER_TARGET: intFrom(1, 1000, 16),
  USM_POLLER_MAX_JOB_BYTES: intFrom(256, 64 * 1024 * 1024, 1024 * 1024),
  USM_POLLER_DRAIN_TIMEOUT_MS: intFrom(0, 3_600_000, 30_000),
  USM_POLLER_HEARTBEAT_S: intFrom(0, 600, 15),
  USM_POLLER_RECONNECT_MAX_MS: intFrom(100, 600_000, 30_000),
  USM_POLLER_LOCAL_ADDRESS: z.string().trim().refine((value) => isIP(value) !== 0, 'must be an IPv4 or IPv6 address').optional(),
  USM_POLLER_ID: z.string().trim().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 characters of A-Z a-z 0-9 _ . : -').optional(),
  USM_POLLER_TLS_CA_FILE: optionalPath,
  USM_POLLER_TLS_CERT_FILE: optionalPath,
  USM_POLLER_TLS_KEY_FILE: optionalPath,
  USM_POLLER_TLS_SERVERNAME: z.string().trim().min(1).optional(),
  USM_POLLER_STATUS_FILE: optionalPath,
  USM_POLLER_WG_INTERFACE: z.string().trim().regex(/^[A-Za-z0-9_=+.-]{1,15}$/, 'must be a network interface name (1-15 characters)').optional(),
  USM_POLLER_HTTP_LISTEN: z.string().trim().regex(/^(\[[0-9a-fA-F:]+\]|[0-9.]+):\d{1,5}$/, 'must be ADDRESS:PORT, e.g. 10.77.0.2:9464').optional(),
});

export type PollerEnv = z.infer<typeof pollerEnvSchema>;
