import type { Answers } from './answers-schema.js';

/**
 * The poller's US_AMQP_DSN: `amqp://` inside the WireGuard tunnel, `amqps://`
 * for the TLS transport. User, password and vhost are percent-encoded; "/" in
 * the vhost is written "%2f" as in the core's own .env.
 */
export function buildBrokerDsn(answers: Answers): string {
  const { broker } = answers;
  const scheme = answers.transport === 'amqps' ? 'amqps' : 'amqp';
  const host = broker.host.includes(':') ? `[${broker.host}]` : broker.host;
  const vhost = encodeURIComponent(broker.vhost).replace(/%2F/g, '%2f');
  return `${scheme}://${encodeURIComponent(broker.username)}:${encodeURIComponent(broker.password)}@${host}:${broker.port}/${vhost}`;
}
