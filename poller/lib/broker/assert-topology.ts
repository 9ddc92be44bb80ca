import type { ChannelModel, Channel } from 'amqplib';
import type { Logger } from '../../../common/logger.js';
import { describeError } from '../../../common/usm-error.js';
import { DEAD_LETTER_EXCHANGE, RESULTS_EXCHANGE, deadQueueName, jobQueueArguments } from './topology.js';

export interface TopologyOptions {
  queue: string;
  deliveryLimit: number;
  log: Logger;
}

type Step = { what: string; run(channel: Channel): Promise<unknown> };

/**
 * Declares what the protocol fixes. Each step runs on its own throwaway
 * channel because a refused declare closes the channel: a queue that a
 * producer already declared with other arguments (406) is consumed as it is,
 * and objects the core pre-declared for a least-privilege user (403) are
 * used as they are. Both get one warning, never a crash or a redeclare.
 */
export async function assertTopology(model: ChannelModel, options: TopologyOptions): Promise<void> {
  const { queue, log } = options;
  const dead = deadQueueName(queue);
  const steps: Step[] = [
    { what: `exchange ${RESULTS_EXCHANGE}`, run: (ch) => ch.assertExchange(RESULTS_EXCHANGE, 'topic', { durable: true }) },
    { what: `exchange ${DEAD_LETTER_EXCHANGE}`, run: (ch) => ch.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true }) },
    { what: `queue ${dead}`, run: (ch) => ch.assertQueue(dead, { durable: true }) },
    { what: `binding ${dead}`, run: (ch) => ch.bindQueue(dead, DEAD_LETTER_EXCHANGE, queue) },
    {
      what: `queue ${queue}`,
      run: (ch) => ch.assertQueue(queue, { durable: true, arguments: jobQueueArguments(queue, options.deliveryLimit) }),
    },
  ];
  for (const step of steps) {
    const channel = await model.createChannel();
    channel.on('error', () => {});
    try {
      await step.run(channel);
      await channel.close().catch(() => {});
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code === 406) log.warn({ object: step.what }, 'exists with other arguments; using it as it is');
      else if (code === 403) log.warn({ object: step.what }, 'not allowed to declare; assuming the core declared it');
      else throw error;
    }
  }
  // The queue must exist in the end, whatever happened above.
  const check = await model.createChannel();
  check.on('error', () => {});
  try {
    await check.checkQueue(queue);
  } catch (error) {
    throw new Error(`job queue ${queue} does not exist and could not be declared: ${describeError(error)}`, { cause: error });
  }
  await check.close().catch(() => {});
}
