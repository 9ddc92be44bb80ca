import type { ConfirmChannel, Message, Options } from 'amqplib';
import type { JobResult } from '../protocol/result.js';
import { RESULTS_EXCHANGE, resultRoutingKey } from './topology.js';

export interface ReplyRoute {
  replyTo?: string | undefined;
  correlationId?: string | undefined;
}

export type PublishOutcome = 'confirmed' | 'unroutable';

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
  readonly #returned = new Set<string>();

  constructor(
    private readonly channel: ConfirmChannel,
    private readonly satelliteId: string | null,
  ) {
    // The broker sends basic.return before the confirm of the same message, so by the time a
    // publish is confirmed its return (if any) has been seen. Keyed by route and ids rather than a
    // header, which would cost a table encoding on every result.
    channel.on('return', (message: Message) => {
      const { exchange, routingKey } = message.fields;
      this.#returned.add(returnKey(exchange, routingKey, message.properties.messageId, message.properties.correlationId));
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
    const properties: Options.Publish = {
      contentType: 'application/json',
      persistent: true,
      mandatory: true,
      type: result.type,
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
    if (this.#returned.size > 0 && this.#returned.delete(returnKey(exchange, key, properties.messageId, properties.correlationId))) return 'unroutable';
    return 'confirmed';
  }
}

function returnKey(exchange: string, routingKey: string, messageId: unknown, correlationId: unknown): string {
  return `${exchange}\n${routingKey}\n${String(messageId ?? '')}\n${String(correlationId ?? '')}`;
}
