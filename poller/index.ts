import { createLogger, type Logger } from '../common/logger.js';
import { UsmError, describeError, formatUsmError } from '../common/usm-error.js';
import { loadConfig, type PollerConfig } from './lib/config/load-config.js';
import { readPackageVersion } from './lib/config/package-version.js';
import { redactDsn } from './lib/broker/dsn.js';
import { createExecutorRegistry } from './lib/executors/registry.js';
import { Poller } from './lib/runtime/poller.js';
import { createPollerMetrics } from './lib/health/poller-metrics.js';
import { startHealthServer } from './lib/health/health-server.js';
import { takeSnapshot } from './lib/health/health-snapshot.js';
import { startStatusFile } from './lib/health/status-file.js';
import { checkHealth } from './lib/health/check-health.js';
import { notifySystemdReady } from './lib/health/notify-systemd.js';
import { watchTunnelHandshake } from './lib/health/tunnel-handshake.js';

export { Poller } from './lib/runtime/poller.js';
export { loadConfig } from './lib/config/load-config.js';
export { createExecutorRegistry } from './lib/executors/registry.js';

const HELP = `usm-poller: executes USERSIDE network jobs from RabbitMQ and publishes their results.

Configuration comes from the environment:
  US_AMQP_DSN                 amqp(s)://user:password@host:5672/%2f; several comma-separated URLs = cluster nodes (failover)
  USM_POLLER_SATELLITE_ID     satellite id; the poller consumes usm_poller-sat-<id> (unset: usm_poller)
  USM_POLLER_CONCURRENCY      jobs in flight (prefetch), default 64
  USM_POLLER_LOG_LEVEL        fatal|error|warn|info|debug|trace|silent, default info; per component: info,snmp=debug
  USM_POLLER_LOCAL_ADDRESS    source address of the broker connection (the tunnel address on a satellite)
  USM_POLLER_DELIVERY_LIMIT   x-delivery-limit of a queue the poller declares, default 5
  USM_POLLER_MAX_JOB_BYTES    larger job messages are answered invalid, default 1048576
  USM_POLLER_SNMP_MAX_PER_TARGET  SNMP requests in flight to one device at once, default 16 (more wait in the poller)
  USM_POLLER_DRAIN_TIMEOUT_MS on SIGTERM, wait this long for jobs in flight, default 30000
  USM_POLLER_HEARTBEAT_S      AMQP heartbeat, default 15
  USM_POLLER_RECONNECT_MAX_MS cap of the reconnect backoff, default 30000
  USM_POLLER_TLS_CA_FILE, USM_POLLER_TLS_CERT_FILE, USM_POLLER_TLS_KEY_FILE, USM_POLLER_TLS_SERVERNAME   for amqps://
  USM_POLLER_ID               name shown in results and in the broker (default host-pid)
  USM_POLLER_STATUS_FILE      keep a JSON health snapshot here (for Docker's HEALTHCHECK and usm-appliance status)
  USM_POLLER_HTTP_LISTEN      ADDRESS:PORT for GET /healthz and /metrics (Prometheus); off unless set; never 0.0.0.0
  USM_POLLER_WG_INTERFACE     WireGuard interface whose handshake age is exported with the metrics (needs CAP_NET_ADMIN)

Commands:
  usm-poller                  run the poller
  usm-poller health [--file PATH | --url URL] [--max-age-s N]
                              exit 0 when a running poller is connected and consuming (default: $USM_POLLER_STATUS_FILE)

Exit codes: 0 stopped cleanly (SIGTERM/SIGINT) or healthy, 1 unhealthy, 2 invalid configuration.
`;

export interface MainOptions {
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
  stderr?: NodeJS.WritableStream;
  stdout?: NodeJS.WritableStream;
  /** Resolves when the process should stop; default: the first SIGTERM or SIGINT. */
  stopSignal?: Promise<unknown>;
}

export async function main(options: MainOptions = {}): Promise<void> {
  const argv = options.argv ?? process.argv.slice(2);
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  if (argv.includes('--help') || argv.includes('-h')) {
    stdout.write(HELP);
    return;
  }
  if (argv.includes('--version')) {
    stdout.write(`${readPackageVersion()}\n`);
    return;
  }
  if (argv[0] === 'health') {
    process.exitCode = await runHealthCheck(argv.slice(1), options.env ?? process.env, stdout, stderr);
    return;
  }
  let config: PollerConfig;
  try {
    config = loadConfig(options.env ?? process.env);
  } catch (error) {
    if (!(error instanceof UsmError)) throw error;
    stderr.write(`usm-poller: ${formatUsmError(error)}\n`);
    process.exitCode = 2;
    return;
  }
  const log = createLogger({ level: config.logLevel, components: config.logComponents, name: 'usm-poller' });
  try {
    await runPoller(config, log, options.env ?? process.env, options.stopSignal ?? waitForStopSignal(log));
  } catch (error) {
    if (!(error instanceof UsmError)) throw error;
    log.fatal({ code: error.code }, error.message);
    stderr.write(`usm-poller: ${formatUsmError(error)}\n`);
    process.exitCode = 2;
    return;
  }
  process.exitCode = 0;
}

async function runPoller(config: PollerConfig, log: Logger, env: Record<string, string | undefined>, stopSignal: Promise<unknown>): Promise<void> {
  const identity = { id: config.pollerId, satelliteId: config.satelliteId, version: readPackageVersion() };
  let poller: Poller | undefined;
  const metrics = createPollerMetrics(() => poller?.status.inFlight ?? 0);
  const registry = createExecutorRegistry({ log, snmpMaxPerTarget: config.snmpMaxPerTarget, onSnmpRequest: metrics.recordSnmpRequest });
  const snapshot = () => takeSnapshot(poller!.status, identity);
  let statusFile: ReturnType<typeof startStatusFile> | undefined;
  let readyNotified = false;
  poller = new Poller({
    config, registry, identity, log,
    hooks: {
      onResult: metrics.recordResult,
      onReconnect: metrics.recordReconnect,
      onStateChange(status) {
        statusFile?.refresh();
        if (status.consuming && !readyNotified) {
          readyNotified = true;
          void notifySystemdReady(env, log);
        }
      },
    },
  });
  const server = config.httpListen ? await startHealthServer({ listen: config.httpListen, metrics, snapshot, log }) : undefined;
  const handshake = server && config.wgInterface ? watchTunnelHandshake(config.wgInterface, (age) => metrics.setHandshakeAgeSeconds(config.wgInterface!, age), log) : undefined;
  if (config.statusFile) statusFile = startStatusFile(config.statusFile, snapshot, log);
  log.info(
    { brokers: config.urls.map(redactDsn), queue: config.queue, satelliteId: config.satelliteId, concurrency: config.concurrency, types: registry.types },
    'usm-poller starting',
  );
  poller.start();
  await stopSignal;
  await poller.stop();
  await registry.close();
  await statusFile?.stop();
  handshake?.stop();
  server?.close();
  await new Promise<void>((resolve) => log.flush(() => resolve()));
}

async function runHealthCheck(argv: readonly string[], env: Record<string, string | undefined>, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<number> {
  const flag = (name: string) => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const url = flag('--url');
  const file = flag('--file') ?? env.USM_POLLER_STATUS_FILE;
  const maxAge = Number(flag('--max-age-s') ?? '30');
  if (!url && !file) {
    stderr.write('usm-poller health: give --file PATH or --url URL (or set USM_POLLER_STATUS_FILE)\n');
    return 2;
  }
  if (!Number.isFinite(maxAge) || maxAge <= 0) {
    stderr.write('usm-poller health: --max-age-s must be a positive number\n');
    return 2;
  }
  const verdict = await checkHealth(url ? { url } : { file: file! }, maxAge * 1000);
  (verdict.healthy ? stdout : stderr).write(`${verdict.healthy ? 'healthy' : 'unhealthy'}: ${verdict.reason}\n`);
  return verdict.healthy ? 0 : 1;
}

function waitForStopSignal(log: Logger): Promise<string> {
  process.on('unhandledRejection', (reason) => log.error({ err: describeError(reason) }, 'unhandled rejection'));
  return new Promise((resolve) => {
    let received: string | null = null;
    // The handlers stay installed for the whole drain: with none left, execa's signal-exit
    // would re-raise a second signal and kill the process before results are published.
    const onSignal = (signal: string) => {
      if (received) {
        log.warn({ signal }, 'already stopping; waiting for jobs in flight (SIGKILL to abandon them)');
        return;
      }
      received = signal;
      log.info({ signal }, 'signal received');
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
