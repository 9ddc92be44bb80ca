import { isIP } from 'node:net';
import { z } from 'zod';
import { validateInput } from '../amqps/validate-input.js';
import { satelliteIdSchema } from '../broker-users/satellite-identity.js';
import { renderEnvLine } from './env-file-value.js';

const absolutePath = z.string().regex(/^\/[A-Za-z0-9._/%-]*$/, 'must be an absolute path of A-Z a-z 0-9 . _ - / %');

const dsnSchema = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'amqp:' || url.protocol === 'amqps:') && url.hostname !== '' && !/\s/.test(value);
    } catch {
      return false;
    }
  }, 'must be an amqp:// or amqps:// URL without spaces, e.g. amqp://user:password@10.77.0.1:5672/%2f')
  // encodeURIComponent leaves ' alone; %27 means the same in a URL and fits in a single-quoted value.
  .transform((value) => value.replaceAll("'", '%27'));

const inputSchema = z
  .object({
    dsn: dsnSchema,
    satelliteId: satelliteIdSchema,
    concurrency: z.number().int().min(1).max(10_000).default(64),
    /** The satellite's tunnel address: outgoing broker traffic leaves from it (WireGuard transport). */
    localAddress: z.string().refine((value) => isIP(value) !== 0, 'must be an IPv4 or IPv6 address').optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** File variables for amqps://. Under systemd leave the files out: the unit passes them as credentials. */
    tls: z
      .object({ caFile: absolutePath.optional(), certFile: absolutePath.optional(), keyFile: absolutePath.optional(), servername: z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, 'must be a DNS name or an IP address').optional() })
      .strict()
      .optional(),
    statusFile: absolutePath.optional(),
    /** Metrics and /healthz listener, ADDRESS:PORT (the tunnel or loopback address; the poller refuses 0.0.0.0). */
    httpListen: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[0-9.]+):\d{1,5}$/, 'must be ADDRESS:PORT').optional(),
    /** WireGuard interface whose handshake age the metrics report. */
    wgInterface: z.string().regex(/^[A-Za-z0-9_=+.-]{1,15}$/, 'must be an interface name').optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.tls && !value.dsn.startsWith('amqps:')) ctx.addIssue({ code: 'custom', path: ['tls'], message: 'TLS settings need an amqps:// dsn' });
  });

export type PollerEnvInput = z.input<typeof inputSchema>;

/**
 * Pure: the poller's environment file (mode 0600: it holds the broker
 * password), read by systemd's EnvironmentFile= and by Compose's env_file.
 * Variable names are the poller's (poller/lib/config/env-schema.ts).
 */
export function renderPollerEnv(input: PollerEnvInput): string {
  const o = validateInput(inputSchema, input, 'poller environment');
  const entries: Array<[string, string | number | undefined]> = [
    ['US_AMQP_DSN', o.dsn],
    ['USM_POLLER_SATELLITE_ID', o.satelliteId],
    ['USM_POLLER_CONCURRENCY', o.concurrency],
    ['USM_POLLER_LOCAL_ADDRESS', o.localAddress],
    ['USM_POLLER_LOG_LEVEL', o.logLevel],
    ['USM_POLLER_TLS_CA_FILE', o.tls?.caFile],
    ['USM_POLLER_TLS_CERT_FILE', o.tls?.certFile],
    ['USM_POLLER_TLS_KEY_FILE', o.tls?.keyFile],
    ['USM_POLLER_TLS_SERVERNAME', o.tls?.servername],
    ['USM_POLLER_STATUS_FILE', o.statusFile],
    ['USM_POLLER_HTTP_LISTEN', o.httpListen],
    ['USM_POLLER_WG_INTERFACE', o.wgInterface],
  ];
  const lines = [
    '# usm-poller environment, written by usm-appliance. Holds the broker password: keep it 0600 root.',
    ...entries.filter((entry): entry is [string, string | number] => entry[1] !== undefined).map(([key, value]) => renderEnvLine(key, String(value))),
  ];
  return `${lines.join('\n')}\n`;
}
