import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { connect, type ChannelModel } from 'amqplib';

/** A throwaway vhost on the local RabbitMQ, so tests can force-close connections without touching others. */
export interface TestVhost {
  name: string;
  dsn: string;
  /** Broker connections in this vhost whose name starts with the prefix. */
  listConnections(prefix?: string): Promise<Array<{ pid: string; name: string; peerHost: string }>>;
  /** Force-closes this vhost's connections whose name starts with the prefix; returns how many. */
  closeConnections(prefix?: string): Promise<number>;
  open(): Promise<ChannelModel>;
  remove(): Promise<void>;
}

export const RABBIT = { host: '127.0.0.1', port: 5672, user: 'guest', password: 'guest' };

export async function rabbitmqctl(args: string[], input?: string): Promise<string> {
  const { stdout } = await execa('rabbitmqctl', args, { timeout: 60_000, ...(input === undefined ? {} : { input }) });
  return stdout;
}

export async function createVhost(label = 'test'): Promise<TestVhost> {
  const name = `usm-${label}-${randomBytes(4).toString('hex')}`;
  await rabbitmqctl(['add_vhost', name]);
  await rabbitmqctl(['set_permissions', '-p', name, RABBIT.user, '.*', '.*', '.*']);
  const dsn = `amqp://${RABBIT.user}:${RABBIT.password}@${RABBIT.host}:${RABBIT.port}/${encodeURIComponent(name)}`;
  const listConnections = async (prefix = '') => {
    // The client-chosen name (amqplib's connection_name) is only visible inside client_properties.
    const out = await rabbitmqctl(['list_connections', '--quiet', '--no-table-headers', 'pid', 'vhost', 'peer_host', 'client_properties']);
    return out.split('\n').map((line) => line.split('\t')).filter((cols) => cols[1] === name).map((cols) => ({
      pid: cols[0]!, peerHost: cols[2] ?? '', name: /"connection_name","([^"]*)"/.exec(cols[3] ?? '')?.[1] ?? '',
    })).filter((c) => c.name.startsWith(prefix));
  };
  return {
    name,
    dsn,
    listConnections,
    async closeConnections(prefix = '') {
      const connections = await listConnections(prefix);
      for (const c of connections) await rabbitmqctl(['close_connection', c.pid, 'test forced close']).catch(() => {});
      return connections.length;
    },
    open: () => connect(dsn),
    remove: async () => {
      await rabbitmqctl(['delete_vhost', name]).catch(() => {});
    },
  };
}
