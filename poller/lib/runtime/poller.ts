import { setMaxListeners } from 'node:events';
import type { Logger } from '../../../common/logger.js';
import { describeError } from '../../../common/usm-error.js';
import { BrokerSession } from '../broker/broker-session.js';
import { brokerAddress } from '../broker/dsn.js';
import type { PollerConfig } from '../config/load-config.js';
import type { ExecutorRegistry } from '../executors/registry.js';
import type { JobResult, PollerIdentity } from '../protocol/result.js';
import { backoffDelay, sleep } from './backoff.js';
import { handleDelivery } from './handle-delivery.js';

export interface PollerStatus {
  connected: boolean;
  consuming: boolean;
  broker: string | null;
  queue: string;
  inFlight: number;
  reconnects: number;
  lastJobAt: string | null;
  jobs: Record<string, number>;
}

export interface PollerHooks {
  onResult?(result: JobResult): void;
  onReconnect?(): void;
  /** Connected/consuming changed (readiness for systemd, the status file). */
  onStateChange?(status: PollerStatus): void;
}

export interface PollerDeps {
  config: PollerConfig;
  registry: ExecutorRegistry;
  identity: PollerIdentity;
  log: Logger;
  hooks?: PollerHooks;
}

/**
 * The poller's life: connect (failing over between the DSN's URLs), consume,
 * run many jobs at once (bounded by prefetch), reconnect with capped backoff
 * whenever the broker goes away, and drain on stop. It never exits on a
 * broker error.
 */
export class Poller {
  readonly #deps: PollerDeps;
  readonly #stopping = new AbortController();
  readonly #shutdown = new AbortController();
  readonly #inFlight = new Set<Promise<void>>();
  #session: BrokerSession | null = null;
  #loop: Promise<void> | null = null;
  #status: PollerStatus;

  constructor(deps: PollerDeps) {
    this.#deps = deps;
    // Every job in flight listens for shutdown; thousands of listeners are expected, not a leak.
    setMaxListeners(0, this.#shutdown.signal);
    this.#status = {
      connected: false, consuming: false, broker: null, queue: deps.config.queue,
      inFlight: 0, reconnects: 0, lastJobAt: null, jobs: {},
    };
  }

  get status(): PollerStatus {
    return { ...this.#status, inFlight: this.#inFlight.size, jobs: { ...this.#status.jobs } };
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops taking jobs, lets in-flight ones finish (aborting them after the drain timeout), then closes. */
  async stop(): Promise<void> {
    const { log, config } = this.#deps;
    if (this.#stopping.signal.aborted) return this.#loop ?? undefined;
    this.#stopping.abort();
    log.info({ inFlight: this.#inFlight.size }, 'stopping: no new jobs, draining the ones in flight');
    await this.#session?.stopConsuming();
    this.#status.consuming = false;
    this.#deps.hooks?.onStateChange?.(this.status);
    const drained = await this.#waitForInFlight(config.drainTimeoutMs);
    if (!drained) {
      log.warn({ inFlight: this.#inFlight.size }, 'drain timeout: aborting jobs in flight, publishing them as timeout');
      this.#shutdown.abort();
      await this.#waitForInFlight(10_000);
    }
    await this.#session?.close();
    await this.#loop;
    log.info('stopped');
  }

  async #run(): Promise<void> {
    const { config, log } = this.#deps;
    let attempt = 0;
    let index = 0;
    while (!this.#stopping.signal.aborted) {
      const url = config.urls[index % config.urls.length]!;
      const broker = brokerAddress(url);
      let reason: Error | undefined;
      let session: BrokerSession | null = null;
      try {
        session = await BrokerSession.open(url, {
          heartbeatS: config.heartbeatS, localAddress: config.localAddress, tls: config.tls,
          connectionName: `usm-poller ${config.pollerId}`, queue: config.queue, prefetch: config.concurrency,
          deliveryLimit: config.deliveryLimit, satelliteId: config.satelliteId, log,
        });
        this.#session = session;
        if (this.#stopping.signal.aborted) {
          await session.close();
          break;
        }
        const live = session;
        await live.consume(config.queue, (message) => this.#track(handleDelivery(message, live, {
          registry: this.#deps.registry, identity: this.#deps.identity, maxJobBytes: config.maxJobBytes,
          log, shutdown: this.#shutdown.signal, onResult: (result) => this.#count(result),
        })));
        Object.assign(this.#status, { connected: true, consuming: true, broker });
        this.#deps.hooks?.onStateChange?.(this.status);
        log.info({ broker, queue: config.queue, prefetch: config.concurrency }, 'connected and consuming');
        attempt = 0;
        reason = await live.closed;
      } catch (error) {
        reason = error instanceof Error ? error : new Error(describeError(error));
        // A half-made session (consume refused, channel died during setup) must not linger.
        await session?.close();
        index += 1; // fail over to the next cluster node
      }
      Object.assign(this.#status, { connected: false, consuming: false, broker: null });
      this.#deps.hooks?.onStateChange?.(this.status);
      if (this.#stopping.signal.aborted) break;
      const delay = backoffDelay(attempt++, config.reconnectMaxMs);
      this.#status.reconnects += 1;
      this.#deps.hooks?.onReconnect?.();
      log.warn({ broker, err: reason ? describeError(reason) : 'closed', retryInMs: delay }, 'broker link lost; reconnecting');
      await sleep(delay, this.#stopping.signal);
    }
  }

  #track(task: Promise<void>): void {
    const tracked = task.catch((error: unknown) => {
      this.#deps.log.error({ err: describeError(error) }, 'unexpected failure handling a job');
    }).finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  #count(result: JobResult): void {
    this.#status.lastJobAt = result.finishedAt;
    this.#status.jobs[result.status] = (this.#status.jobs[result.status] ?? 0) + 1;
    this.#deps.hooks?.onResult?.(result);
  }

  async #waitForInFlight(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.#inFlight.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await Promise.race([Promise.allSettled([...this.#inFlight]), sleep(left)]);
    }
    return true;
  }
}
