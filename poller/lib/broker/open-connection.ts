import { readFile } from 'node:fs/promises';
import { connect, type ChannelModel } from 'amqplib';
import type { TlsFiles } from '../config/load-config.js';

export interface ConnectionOptions {
  heartbeatS: number;
  localAddress?: string | undefined;
  tls: TlsFiles;
  /** Shown in the broker's connection list (rabbitmqctl list_connections name). */
  connectionName: string;
  connectTimeoutMs?: number;
}

/**
 * Opens one AMQP connection. The local address pins the source of the TCP
 * connection (the tunnel address on a satellite), so the broker sees it
 * come through the tunnel and nothing leaks onto another interface.
 */
export async function openConnection(url: string, options: ConnectionOptions): Promise<ChannelModel> {
  const target = new URL(url);
  if (!target.searchParams.has('heartbeat')) target.searchParams.set('heartbeat', String(options.heartbeatS));
  const socketOptions: Record<string, unknown> = {
    timeout: options.connectTimeoutMs ?? 10_000,
    noDelay: true,
    clientProperties: { connection_name: options.connectionName, product: 'usm-poller' },
  };
  if (options.localAddress) socketOptions.localAddress = options.localAddress;
  if (target.protocol === 'amqps:') Object.assign(socketOptions, await readTlsOptions(options.tls, target.hostname));
  return connect(target.toString(), socketOptions);
}

async function readTlsOptions(tls: TlsFiles, hostname: string): Promise<Record<string, unknown>> {
  const options: Record<string, unknown> = { servername: tls.servername ?? hostname };
  // Only our CA is trusted when one is given: a certificate from any public CA is not enough.
  if (tls.caFile) options.ca = [await readFile(tls.caFile)];
  if (tls.certFile) options.cert = await readFile(tls.certFile);
  if (tls.keyFile) options.key = await readFile(tls.keyFile);
  return options;
}
