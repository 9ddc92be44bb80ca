import type { ConfirmChannel, Message, Options } from 'amqplib';
import type { JobResult } from '../protocol/result.js';
import { RESULTS_EXCHANGE, resultRoutingKey } from './topology.js';

export interface ReplyRoute {
  replyTo?: string | undefined;
  correlationId?: string | undefined;
}

export type PublishOutcome = 'confirmed' | 'unroutable';

/** Header that ties a returned (unroutable) message to its publish. */
const PUBLISH_TAG = 'x-usm-publish';
/** A confirm that takes longer than this means the link is gone; the job is left for redelivery. */
const CONFIRM_TIMEOUT_MS = 60_000;

/**
 * Publishes results with publisher confirms. `publish` resolves only once the
 * broker has confirmed, so the caller can ack the job after it (at-least-once),
 * and says whether the broker could route the result: published `mandatory`,
 * an unroutable result comes back (basic.return) before its confirm.
 * Honours backpressure: when the write buffer is full, later publishes wait
 * for 'drain' (or the channel's end) instead of growing memory.
 */
export class ResultPublisher {
  #drained: Promise<void> | null = null;
  #releaseDrain: (() => void) | null = null;
  #next = 0;
  readonly #returned = new Set<string>();

  constructor(
    private readonly channel: ConfirmChannel,
    private readonly satelliteId: string | null,
  ) {
    channel.on('return', (message: Message) => {
      const tag = message.properties.headers?.[PUBLISH_TAG];
      if (typeof tag === 'string') this.#returned.add(tag);
    });
    channel.on('drain', () => this.release());
    channel.on('close', () => this.release());
  }

  /** Wakes publishes waiting for 'drain'; called when the channel drains or the session ends. */
  release(): void {
    this.#releaseDrain?.();
    this.#drained = null;
    this.#releaseDrain = null;
  }

  async publish(result: JobResult, body: Buffer, route: ReplyRoute): Promise<PublishOutcome> {
    while (this.#drained) await this.#drained;
    const tag = String(this.#next++);
    const properties: Options.Publish = {
      contentType: 'application/json',
      persistent: true,
      mandatory: true,
      type: result.type,
      headers: { [PUBLISH_TAG]: tag },
      ...(result.id === null ? {} : { messageId: result.id }),
      ...(route.correlationId ? { correlationId: route.correlationId } : {}),
    };
    const [exchange, key] = route.replyTo
      ? ['', route.replyTo]
      : [RESULTS_EXCHANGE, resultRoutingKey(this.satelliteId, result.type)];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no confirm within ${CONFIRM_TIMEOUT_MS} ms`)), CONFIRM_TIMEOUT_MS);
      const written = this.channel.publish(exchange, key, body, properties, (error) => {
        clearTimeout(timer);
        if (error) reject(error instanceof Error ? error : new Error('broker refused the result (nack)'));
        else resolve();
      });
      if (!written && !this.#drained) {
        this.#drained = new Promise<void>((wake) => { this.#releaseDrain = wake; });
      }
    });
    if (this.#returned.delete(tag)) return 'unroutable';
    return 'confirmed';
  }
}
