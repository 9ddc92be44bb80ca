import type { Channel, ChannelModel } from 'amqplib';

/**
 * Publishes jobs with reply_to = a private queue and counts every result by
 * id, duplicates included (delivery is at-least-once).
 */
export interface ResultCollector {
  replyQueue: string;
  counts: Map<string, number>;
  statuses: Map<string, string>;
  publish(queue: string, jobs: Array<Record<string, unknown>>): Promise<void>;
  waitFor(ids: readonly string[], timeoutMs: number): Promise<{ missing: string[]; duplicates: number }>;
  close(): Promise<void>;
}

export async function openCollector(model: ChannelModel): Promise<ResultCollector> {
  const channel: Channel = await model.createConfirmChannel();
  const { queue } = await channel.assertQueue('', { exclusive: true });
  const counts = new Map<string, number>();
  const statuses = new Map<string, string>();
  await channel.consume(queue, (message) => {
    if (!message) return;
    const result = JSON.parse(message.content.toString()) as { id: string; status: string };
    counts.set(result.id, (counts.get(result.id) ?? 0) + 1);
    statuses.set(result.id, result.status);
  }, { noAck: true });
  return {
    replyQueue: queue,
    counts,
    statuses,
    async publish(target, jobs) {
      for (const job of jobs) {
        channel.sendToQueue(target, Buffer.from(JSON.stringify(job)), {
          contentType: 'application/json', replyTo: queue, correlationId: String(job.id), persistent: true,
        });
      }
      await (channel as import('amqplib').ConfirmChannel).waitForConfirms();
    },
    async waitFor(ids, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const missing = () => ids.filter((id) => !counts.has(id));
      while (missing().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      let duplicates = 0;
      for (const id of ids) duplicates += Math.max(0, (counts.get(id) ?? 0) - 1);
      return { missing: missing(), duplicates };
    },
    close: () => channel.close().catch(() => {}),
  };
}
