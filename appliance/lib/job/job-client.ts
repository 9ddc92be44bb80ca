import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { UsmError, describeError } from '../../../common/usm-error.js';
import { redactDsn } from '../../../poller/lib/broker/dsn.js';

export interface JobReply {
  result: Record<string, unknown>;
  latencyMs: number;
}

/**
 * A producer with a private, exclusive reply queue: publishes jobs to a job
 * queue and matches results by correlation id. Used by `usm-appliance job`,
 * the tests and the benchmarks.
 */
export class JobClient {
  readonly #pending = new Map<string, { resolve(reply: JobReply): void; started: number; timer: NodeJS.Timeout }>();

  private constructor(
    private readonly model: ChannelModel,
    private readonly channel: ConfirmChannel,
    private readonly replyQueue: string,
  ) {}

  static async open(dsn: string): Promise<JobClient> {
    let model: ChannelModel;
    try {
      model = await connect(dsn, { timeout: 10_000 });
    } catch (error) {
      throw new UsmError('E_BROKER', `cannot connect to ${redactDsn(dsn)}: ${describeError(error)}`, { cause: error });
    }
    model.on('error', () => {});
    const channel = await model.createConfirmChannel();
    channel.on('error', () => {});
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    const client = new JobClient(model, channel, queue);
    await channel.consume(queue, (message) => {
      if (!message) return;
      const waiter = client.#pending.get(message.properties.correlationId as string);
      if (!waiter) return; // a duplicate (at-least-once) or a stray reply
      client.#pending.delete(message.properties.correlationId as string);
      let result: Record<string, unknown>;
      try {
        result = JSON.parse(message.content.toString('utf8')) as Record<string, unknown>;
      } catch {
        result = { status: 'error', error: { code: 'E_CLIENT', message: 'reply is not JSON' } };
      }
      waiter.resolve({ result, latencyMs: performance.now() - waiter.started });
    }, { noAck: true });
    return client;
  }

  /** Publishes one job and resolves with its result, or rejects after `waitMs`. */
  async request(queue: string, job: Record<string, unknown>, waitMs: number): Promise<JobReply> {
    const correlationId = randomUUID();
    const id = typeof job.id === 'string' ? job.id : correlationId;
    const body = Buffer.from(JSON.stringify({ ...job, id }));
    const started = performance.now();
    const reply = new Promise<JobReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(correlationId);
        reject(new UsmError('E_NO_RESULT', `no result for job ${id} within ${waitMs} ms (is a poller consuming ${queue}?)`));
      }, waitMs);
      this.#pending.set(correlationId, { started, timer, resolve: (r) => { clearTimeout(timer); resolve(r); } });
    });
    await new Promise<void>((resolve, reject) => {
      this.channel.publish('', queue, body, {
        contentType: 'application/json', persistent: true, correlationId, messageId: id, replyTo: this.replyQueue,
      }, (error) => (error ? reject(new UsmError('E_BROKER', `broker refused job ${id}`)) : resolve()));
    }).catch((error: unknown) => {
      clearTimeout(this.#pending.get(correlationId)?.timer);
      this.#pending.delete(correlationId);
      throw error;
    });
    return reply;
  }

  /** Fails with a clear error when nothing has declared the job queue yet (no poller ever started). */
  async checkQueue(queue: string): Promise<{ messageCount: number; consumerCount: number }> {
    const channel = await this.model.createChannel();
    channel.on('error', () => {});
    try {
      const info = await channel.checkQueue(queue);
      return { messageCount: info.messageCount, consumerCount: info.consumerCount };
    } catch {
      throw new UsmError('E_NO_QUEUE', `queue ${queue} does not exist: start a poller for it first (it declares the queue)`);
    } finally {
      await channel.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    await this.model.close().catch(() => {});
  }
}
