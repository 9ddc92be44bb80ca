import { createLogger, type Logger } from '../common/logger.js';
import { UsmError, describeError, formatUsmError } from '../common/usm-error.js';
import { loadConfig, type PollerConfig } from './lib/config/load-config.js';
import { readPackageVersion } from './lib/config/package-version.js';
import { redactDsn } from './lib/broker/dsn.js';
import { createExecutorRegistry } from './lib/executors/registry.js';
import { Poller } from './lib/runtime/poller.js';

export { Poller } from './lib/runtime/poller.js';
export { loadConfig } from './lib/config/load-config.js';
export { createExecutorRegistry } from './lib/executors/registry.js';

const HELP = `usm-poller: executes USERSIDE network jobs from RabbitMQ and publishes their results.

Configuration comes from the environment:
  US_AMQP_DSN                 amqp(s)://user:password@host:5672/%2f; several comma-separated URLs = cluster nodes (failover)
  USM_POLLER_SATELLITE_ID     satellite id; the poller consumes usm_poller-sat-<id> (unset: usm_poller)
  USM_POLLER_CONCURRENCY      jobs in flight (prefetch), default 64
  USM_POLLER_LOG_LEVEL        fatal|error|warn|info|debug|trace|silent, default info
  USM_POLLER_LOCAL_ADDRESS    source address of the broker connection (the tunnel address on a satellite)
  USM_POLLER_DELIVERY_LIMIT   x-delivery-limit of a queue the poller declares, default 5
  USM_POLLER_MAX_JOB_BYTES    larger job messages are answered invalid, default 1048576
  USM_POLLER_DRAIN_TIMEOUT_MS on SIGTERM, wait this long for jobs in flight, default 30000
  USM_POLLER_HEARTBEAT_S      AMQP heartbeat, default 15
  USM_POLLER_RECONNECT_MAX_MS cap of the reconnect backoff, default 30000
  USM_POLLER_TLS_CA_FILE, USM_POLLER_TLS_CERT_FILE, USM_POLLER_TLS_KEY_FILE, USM_POLLER_TLS_SERVERNAME   for amqps://
  USM_POLLER_ID               name shown in results and in the broker (default host-pid)

Exit codes: 0 stopped cleanly (SIGTERM/SIGINT), 2 invalid configuration.
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
  let config: PollerConfig;
  try {
    config = loadConfig(options.env ?? process.env);
  } catch (error) {
    if (!(error instanceof UsmError)) throw error;
    stderr.write(`usm-poller: ${formatUsmError(error)}\n`);
    process.exitCode = 2;
    return;
  }
  const log = createLogger({ level: config.logLevel, name: 'usm-poller' });
  await runPoller(config, log, options.stopSignal ?? waitForStopSignal(log));
  process.exitCode = 0;
}

async function runPoller(config: PollerConfig, log: Logger, stopSignal: Promise<unknown>): Promise<void> {
  const registry = createExecutorRegistry({ log });
  const identity = { id: config.pollerId, satelliteId: config.satelliteId, version: readPackageVersion() };
  const poller = new Poller({ config, registry, identity, log });
  log.info(
    { brokers: config.urls.map(redactDsn), queue: config.queue, satelliteId: config.satelliteId, concurrency: config.concurrency, types: registry.types },
    'usm-poller starting',
  );
  poller.start();
  await stopSignal;
  await poller.stop();
  await registry.close();
  await new Promise<void>((resolve) => log.flush(() => resolve()));
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
