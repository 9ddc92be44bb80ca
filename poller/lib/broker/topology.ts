/** Names and arguments of the broker objects the protocol fixes. Pure. */

export const RESULTS_EXCHANGE = 'usm_poller.results';
export const DEAD_LETTER_EXCHANGE = 'usm_poller.dlx';
export const CORE_QUEUE = 'usm_poller';

export function jobQueueName(satelliteId: string | null): string {
  return satelliteId === null ? CORE_QUEUE : `usm_poller-sat-${satelliteId}`;
}

export function deadQueueName(jobQueue: string): string {
  return `${jobQueue}.dead`;
}

/** Arguments of the job queue as the poller declares it when it does not exist yet. */
export function jobQueueArguments(jobQueue: string, deliveryLimit: number): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
    // Fixed key, so rejected jobs reach <queue>.dead whatever key the producer published with.
    'x-dead-letter-routing-key': jobQueue,
    'x-delivery-limit': deliveryLimit,
  };
}

/** Routing key on the results exchange for a job that came without `reply_to`. */
export function resultRoutingKey(satelliteId: string | null, type: string): string {
  return `result.${satelliteId ?? 'core'}.${type}`;
}
