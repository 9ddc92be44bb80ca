import { DEAD_LETTER_EXCHANGE, RESULTS_EXCHANGE, deadQueueName, jobQueueName } from '../../../poller/lib/broker/topology.js';

/** RabbitMQ's name for the default ("") exchange in permission checks. */
export const DEFAULT_EXCHANGE_RESOURCE = 'amq.default';

/**
 * `declare` (default): the satellite may declare usm_poller.dlx and
 * usm_poller.results itself, as the poller does on first start. Configure on
 * an exchange also allows deleting it, so one satellite could delete these
 * shared exchanges. `pre-declared`: the core side declares them once and
 * satellites get no configure on them (the poller must then not declare them).
 */
export type SharedExchangeMode = 'declare' | 'pre-declared';

/** The three regexes of `rabbitmqctl set_permissions`, in its argument order. */
export interface BrokerPermissions {
  configure: string;
  write: string;
  read: string;
}

/** One `rabbitmqctl set_topic_permissions` grant: routing-key regexes on one topic exchange, in its argument order. */
export interface BrokerTopicPermission {
  exchange: string;
  write: string;
  read: string;
}

/**
 * Escapes every PCRE metacharacter, so a name matches only itself. `-` is
 * left alone: it is special only inside a character class, which we never build.
 */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}

/** `^(a|b)$`: exactly these names. RabbitMQ does not anchor permission regexes itself. */
export function exactNames(names: readonly string[]): string {
  return `^(${names.map(escapeRegex).join('|')})$`;
}

/**
 * Least privilege of satellite `id` in its vhost. What each AMQP method needs
 * (RabbitMQ access control, checked on the real broker by the tests):
 *
 * - exchange.declare X                 configure X
 * - queue.declare Q                    configure Q
 *   ... with x-dead-letter-exchange D  + read Q, write D (only when Q is created)
 * - queue.declare Q passive            nothing
 * - queue.bind Q to X                  write Q, read X
 * - basic.consume / basic.get Q        read Q
 * - basic.publish to X                 write X ("" is `amq.default`)
 *
 * The poller declares its job queue (quorum, dead-lettered to
 * usm_poller.dlx), the dead queue and its binding, and the results
 * exchange; consumes the job queue; publishes to usm_poller.results and, for
 * jobs with reply_to, to the default exchange. Nothing else.
 */
export function satellitePermissions(satelliteId: string, options: { sharedExchanges?: SharedExchangeMode } = {}): BrokerPermissions {
  const jobQueue = jobQueueName(satelliteId);
  const deadQueue = deadQueueName(jobQueue);
  const shared = options.sharedExchanges === 'pre-declared' ? [] : [DEAD_LETTER_EXCHANGE, RESULTS_EXCHANGE];
  return {
    configure: exactNames([jobQueue, deadQueue, ...shared]),
    write: exactNames([deadQueue, DEAD_LETTER_EXCHANGE, RESULTS_EXCHANGE, DEFAULT_EXCHANGE_RESOURCE]),
    read: exactNames([jobQueue, DEAD_LETTER_EXCHANGE]),
  };
}

/**
 * Routing keys satellite `id` may publish with on the results topic exchange:
 * only its own `result.<id>.` prefix (the protocol's `result.<id>.<type>`), so
 * it cannot pass its results off as the core's (`result.core.*`) or another
 * satellite's. Read `^$`: it binds nothing to that exchange. RabbitMQ checks
 * topic permissions on topic exchanges only and allows every key on an
 * exchange without any, so this grant is what closes the gap; it cannot
 * restrict the default exchange (see docs/security.md).
 */
export function satelliteTopicPermissions(satelliteId: string): BrokerTopicPermission[] {
  return [{ exchange: RESULTS_EXCHANGE, write: `^result\\.${escapeRegex(satelliteId)}\\.`, read: '^$' }];
}
