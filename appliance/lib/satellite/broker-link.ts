import type { ChannelModel } from 'amqplib';
import { UsmError, describeError } from '../../../common/usm-error.js';
import { loadConfig } from '../../../poller/lib/config/load-config.js';
import { openConnection } from '../../../poller/lib/broker/open-connection.js';
import { redactDsn } from '../../../poller/lib/broker/dsn.js';

export interface QueueInfo {
  queue: string;
  messageCount: number;
  consumerCount: number;
}

/**
 * Opens one connection the way the poller does (same DSN, TLS files and
 * source address), so a bad CA, server name or password is reported before
 * the service starts, with the fix named. The caller closes it.
 */
export async function openBrokerLink(env: Record<string, string>, name = 'usm-appliance-check'): Promise<{ model: ChannelModel; queue: string }> {
  const config = loadConfig(env);
  const url = config.urls[0]!;
  try {
    const model = await openConnection(url, { heartbeatS: 0, localAddress: config.localAddress, tls: config.tls, connectionName: name, connectTimeoutMs: 10_000 });
    model.on('error', () => {});
    return { model, queue: config.queue };
  } catch (error) {
    throw classifyBrokerError(error, redactDsn(url), config.tls.servername);
  }
}

/** Connects, then closes at once: the "broker" step of setup. */
export async function checkBrokerLink(env: Record<string, string>): Promise<void> {
  const { model } = await openBrokerLink(env);
  await model.close().catch(() => {});
}

/** Passive declare of the satellite's queue: depth and consumers, without creating anything. */
export async function readQueueInfo(env: Record<string, string>): Promise<QueueInfo> {
  const { model, queue } = await openBrokerLink(env, 'usm-appliance-status');
  try {
    const channel = await model.createChannel();
    channel.on('error', () => {});
    try {
      const info = await channel.checkQueue(queue);
      return { queue, messageCount: info.messageCount, consumerCount: info.consumerCount };
    } catch {
      throw new UsmError('E_NO_QUEUE', `queue ${queue} does not exist yet (the poller declares it when it first connects)`);
    }
  } finally {
    await model.close().catch(() => {});
  }
}

const TLS_TRUST = /UNABLE_TO_VERIFY|SELF_SIGNED|CERT_SIGNATURE_FAILURE|unable to (get|verify)|self[- ]signed|certificate signature/i;

/** Pure: one clear error per way the link fails, with the likely fix. */
export function classifyBrokerError(error: unknown, where: string, servername?: string): UsmError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const text = `${code} ${describeError(error)}`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /altname|Hostname\/IP does not match/i.test(text)) {
    return new UsmError('E_TLS_NAME', `the broker's certificate is not for ${servername ?? 'the server name'}: ${describeError(error)}`, {
      problems: ['amqps.serverName must be a name in the broker certificate (its subjectAltName); ask the core for the right enrollment file'],
    });
  }
  if (TLS_TRUST.test(text)) {
    return new UsmError('E_TLS_CA', `the broker's certificate is not signed by the pinned CA (${code || describeError(error)})`, {
      problems: ['amqps.caPem must be the CA that signed the broker certificate (compare amqps.caSha256 with the core)', `broker: ${where}`],
    });
  }
  if (/ACCESS_REFUSED|403|authentication|Handshake terminated by server: 403/i.test(text)) {
    return new UsmError('E_BROKER_AUTH', `the broker refused the credentials of ${new URL(where).username || 'the satellite user'}`, {
      problems: ['check broker.username/password against the core (usm-appliance core list); a rotated or removed satellite needs a new enrollment file'],
    });
  }
  if (/certificate required|alert number 116|handshake failure|alert/i.test(text)) {
    return new UsmError('E_TLS', `TLS handshake with the broker failed: ${describeError(error)}`, {
      problems: ['the broker may not accept this client certificate (amqps.certPem/keyPem): ask the core for a new enrollment file'],
    });
  }
  if (/NOT_ALLOWED|530|vhost/i.test(text)) {
    return new UsmError('E_BROKER_VHOST', `the broker refused the virtual host: ${describeError(error)}`, { problems: ['check broker.vhost'] });
  }
  return new UsmError('E_BROKER', `cannot reach the broker at ${where}: ${describeError(error)}`, {
    problems: ['check that RabbitMQ listens on the broker host and port (from here through the tunnel, or on the AMQPS port)'],
  });
}
