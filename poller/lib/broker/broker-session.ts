import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from '../../../common/logger.js';
import { describeError } from '../../../common/usm-error.js';
import { assertTopology } from './assert-topology.js';
import { openConnection, type ConnectionOptions } from './open-connection.js';
import { coalesceSocketWrites } from './coalesce-writes.js';
import { ResultPublisher } from './result-publisher.js';

export interface SessionOptions extends ConnectionOptions {
  queue: string;
  prefetch: number;
  deliveryLimit: number;
  satelliteId: string | null;
  log: Logger;
}

/**
 * One connection's life: a consume channel, a confirm channel for results,
 * the consumer. When anything in it breaks, `closed` resolves with the reason
 * and the whole session is thrown away: deliveries of a dead channel cannot be
 * acked, the broker redelivers them to the next session.
 */
export class BrokerSession {
  readonly closed: Promise<Error | undefined>;
  #markClosed!: (reason: Error | undefined) => void;
  #open = true;
  #consumerTag: string | null = null;

  private constructor(
    private readonly model: ChannelModel,
    private readonly consumeChannel: Channel,
    private readonly confirmChannel: Channel,
    readonly publisher: ResultPublisher,
    private readonly log: Logger,
  ) {
    this.closed = new Promise((resolve) => { this.#markClosed = resolve; });
  }

  static async open(url: string, options: SessionOptions): Promise<BrokerSession> {
    const model = await openConnection(url, options);
    coalesceSocketWrites(model);
    // Errors are also reported through 'close'; listening here keeps them from being unhandled.
    model.on('error', (error: Error) => options.log.warn({ err: describeError(error) }, 'broker connection error'));
    try {
      model.on('blocked', (reason: string) => options.log.warn({ reason }, 'broker blocked publishing (resource alarm)'));
      model.on('unblocked', () => options.log.info('broker unblocked publishing'));
      await assertTopology(model, { queue: options.queue, deliveryLimit: options.deliveryLimit, log: options.log });
      const consumeChannel = await model.createChannel();
      const confirmChannel = await model.createConfirmChannel();
      const session = new BrokerSession(model, consumeChannel, confirmChannel, new ResultPublisher(confirmChannel, options.satelliteId), options.log);
      for (const [name, channel] of [['consume', consumeChannel], ['confirm', confirmChannel]] as const) {
        channel.on('error', (error: Error) => options.log.warn({ channel: name, err: describeError(error) }, 'broker channel error'));
        channel.on('close', () => session.#end(new Error(`${name} channel closed`)));
      }
      model.on('close', (error?: Error) => session.#end(error ?? new Error('connection closed')));
      await consumeChannel.prefetch(options.prefetch, false);
      return session;
    } catch (error) {
      await model.close().catch(() => {});
      throw error;
    }
  }

  get isOpen(): boolean {
    return this.#open;
  }

  async consume(queue: string, onMessage: (message: ConsumeMessage) => void): Promise<void> {
    const reply = await this.consumeChannel.consume(queue, (message) => {
      // null: the broker cancelled the consumer (queue deleted, node down): start over.
      if (message === null) return this.#end(new Error(`consumer of ${queue} was cancelled by the broker`));
      onMessage(message);
    });
    this.#consumerTag = reply.consumerTag;
  }

  /** Stops new deliveries; jobs already delivered keep running and can still be acked. */
  async stopConsuming(): Promise<void> {
    const tag = this.#consumerTag;
    this.#consumerTag = null;
    if (tag && this.#open) await this.consumeChannel.cancel(tag).catch(() => {});
  }

  ack(message: ConsumeMessage): boolean {
    if (!this.#open) return false;
    this.consumeChannel.ack(message);
    return true;
  }

  /** Reject without requeue: the queue dead-letters the message. */
  deadLetter(message: ConsumeMessage): boolean {
    if (!this.#open) return false;
    this.consumeChannel.reject(message, false);
    return true;
  }

  requeue(message: ConsumeMessage): boolean {
    if (!this.#open) return false;
    this.consumeChannel.nack(message, false, true);
    return true;
  }

  /**
   * Closes the channels before the connection: amqplib may write the
   * connection's close frame ahead of acks still buffered on a channel, and
   * the broker would then redeliver jobs whose results were already out.
   */
  async close(): Promise<void> {
    if (this.#open) {
      this.#open = false;
      this.publisher.release();
      this.#markClosed(undefined);
      await this.consumeChannel.close().catch(() => {});
      await this.confirmChannel.close().catch(() => {});
    }
    await this.model.close().catch(() => {});
  }

  #end(reason: Error | undefined): void {
    if (!this.#open) return;
    this.#open = false;
    this.publisher.release();
    this.#markClosed(reason);
    if (reason) this.log.debug({ reason: reason.message }, 'broker session ended');
    // A broken channel leaves the connection half alive; close it so the next session starts clean.
    this.model.close().catch(() => {});
  }
}
