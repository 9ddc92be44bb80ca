import { hostname } from 'node:os';
import type { LevelWithSilent } from 'pino';
import { UsmError } from '../../../common/usm-error.js';
import { listZodProblems } from '../../../common/zod-problems.js';
import { pollerEnvSchema } from './env-schema.js';
import { jobQueueName } from '../broker/topology.js';

export interface TlsFiles {
  caFile?: string | undefined;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  servername?: string | undefined;
}

export interface PollerConfig {
  urls: string[];
  satelliteId: string | null;
  queue: string;
  concurrency: number;
  logLevel: LevelWithSilent;
  /** Per-component levels (snmp, icmp, ssh, telnet, tcp), from USM_POLLER_LOG_LEVEL=info,snmp=debug. */
  logComponents: Record<string, LevelWithSilent>;
  deliveryLimit: number;
  snmpMaxPerTarget: number;
  maxJobBytes: number;
  drainTimeoutMs: number;
  heartbeatS: number;
  reconnectMaxMs: number;
  localAddress: string | undefined;
  pollerId: string;
  tls: TlsFiles;
  httpListen: string | undefined;
  statusFile: string | undefined;
  /** WireGuard interface whose handshake age goes into the metrics. */
  wgInterface: string | undefined;
}

/** Pure: an environment in, the poller's config out, or one UsmError listing each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): PollerConfig {
  const parsed = pollerEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = listZodProblems(parsed.error).map((line) => line.replace(/^(US_AMQP_DSN)\.\d+:/, '$1:'));
    throw new UsmError('E_CONFIG', problems.length === 1 ? `invalid environment: ${problems[0]}` : 'invalid environment:', {
      problems: problems.length === 1 ? [] : problems,
    });
  }
  const e = parsed.data;
  const satelliteId = e.USM_POLLER_SATELLITE_ID ?? null;
  return {
    urls: e.US_AMQP_DSN,
    satelliteId,
    queue: jobQueueName(satelliteId),
    concurrency: e.USM_POLLER_CONCURRENCY,
    logLevel: e.USM_POLLER_LOG_LEVEL.level,
    logComponents: e.USM_POLLER_LOG_LEVEL.components,
    deliveryLimit: e.USM_POLLER_DELIVERY_LIMIT,
    snmpMaxPerTarget: e.USM_POLLER_SNMP_MAX_PER_TARGET,
    maxJobBytes: e.USM_POLLER_MAX_JOB_BYTES,
    drainTimeoutMs: e.USM_POLLER_DRAIN_TIMEOUT_MS,
    heartbeatS: e.USM_POLLER_HEARTBEAT_S,
    reconnectMaxMs: e.USM_POLLER_RECONNECT_MAX_MS,
    localAddress: e.USM_POLLER_LOCAL_ADDRESS,
    pollerId: e.USM_POLLER_ID ?? `${hostname()}-${process.pid}`,
    tls: {
      caFile: e.USM_POLLER_TLS_CA_FILE,
      certFile: e.USM_POLLER_TLS_CERT_FILE,
      keyFile: e.USM_POLLER_TLS_KEY_FILE,
      servername: e.USM_POLLER_TLS_SERVERNAME,
    },
    httpListen: e.USM_POLLER_HTTP_LISTEN,
    statusFile: e.USM_POLLER_STATUS_FILE,
    wgInterface: e.USM_POLLER_WG_INTERFACE,
  };
}
