/**
 * The transport ceiling's do-nothing worker: the poller's broker pattern with
 * no job in it. Declares the job queue exactly as the poller does (quorum,
 * dead-letter exchange, delivery limit), consumes with the same prefetch,
 * publishes a small reply with publisher confirms and acks after the confirm.
 *
 *   node --import tsx bench/proc/echo-worker.ts <dsn> <queue> <prefetch>
 */
import { connect, type ConsumeMessage } from 'amqplib';
import { createSilentLogger } from '../../common/logger.js';
import { assertTopology } from '../../poller/lib/broker/assert-topology.js';

async function main(): Promise<void> {
  const [dsn, queue, prefetchText] = process.argv.slice(2);
  if (!dsn || !queue) throw new Error('usage: echo-worker <dsn> <queue> <prefetch>');
  const model = await connect(dsn);
  model.on('error', () => {});
  await assertTopology(model, { queue, deliveryLimit: 5, log: createSilentLogger() });
  const consume = await model.createChannel();
  const confirm = await model.createConfirmChannel();
  consume.on('error', () => {});
  confirm.on('error', () => {});
  await consume.prefetch(Number(prefetchText ?? 64), false);
  await consume.consume(queue, (message: ConsumeMessage | null) => {
    if (!message) return;
    const { replyTo, correlationId } = message.properties as { replyTo?: string; correlationId?: string };
    const body = Buffer.from(JSON.stringify({ v: 1, id: correlationId ?? null, status: 'ok', data: {}, error: null }));
    confirm.publish('', String(replyTo), body, { contentType: 'application/json', persistent: true, mandatory: true, correlationId }, (error) => {
      if (error) consume.nack(message, false, true);
      else consume.ack(message);
    });
  });
  const shutdown = () => {
    void model.close().catch(() => {}).finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`echo-worker: ${String(error)}\n`);
  process.exit(1);
});
