import type { ConfirmChannel, Options } from 'amqplib';
import type { JobResult } from '../protocol/result.js';
import { RESULTS_EXCHANGE, resultRoutingKey } from './topology.js';

export interface ReplyRoute {
  replyTo?: string | undefined;
  correlationId?: string | undefined;
}

/**
 * Publishes results with publisher confirms. `publish` resolves only once the
 * broker has confirmed, so the caller can ack the job after it (at-least-once).
 * Honours channel backpressure: when the write buffer is full, later
 * publishes wait for 'drain' instead of growing memory.
 */
export class ResultPublisher {
  #drained: Promise<void> | null = null;

  constructor(
    private readonly channel: ConfirmChannel,
    private readonly satelliteId: string | null,
  ) {}

  async publish(result: JobResult, body: Buffer, route: ReplyRoute): Promise<void> {
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
      const written = this.channel.publish(exchange, key, body, properties, (error) => {
        if (error) reject(error instanceof Error ? error : new Error('broker refused the result (nack)'));
        else resolve();
      });
      if (!written && !this.#drained) {
        this.#drained = new Promise<void>((resolveDrain) => {
          const release = () => {
            this.channel.off('drain', release);
            this.channel.off('close', release);
            this.#drained = null;
            resolveDrain();
          };
          this.channel.on('drain', release);
          this.channel.on('close', release);
        });
      }
    });
  }
}
