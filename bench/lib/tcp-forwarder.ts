import { connect, createServer, type Server, type Socket } from 'node:net';

/** `tcp:HOST:PORT` or `unix:/path`. */
export type Endpoint = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/** Pure: parses an endpoint spec; throws naming the spec. */
export function parseEndpoint(spec: string): Endpoint {
  if (spec.startsWith('unix:') && spec.length > 5) return { kind: 'unix', path: spec.slice(5) };
  const m = /^tcp:(.+):(\d{1,5})$/.exec(spec);
  if (m && Number(m[2]) <= 65535) return { kind: 'tcp', host: m[1]!, port: Number(m[2]) };
  throw new Error(`endpoint "${spec}": expected tcp:HOST:PORT or unix:/path`);
}

/**
 * A byte pipe: every connection accepted on a listen endpoint is joined to a
 * new connection to `target`. TCP sockets get TCP_NODELAY, like the AMQP
 * client and broker themselves, so the relay adds no Nagle delay. One side's
 * error or end closes both.
 */
export async function startForwarder(listen: readonly Endpoint[], target: Endpoint): Promise<{ close(): Promise<void> }> {
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  };
  const servers: Server[] = [];
  for (const endpoint of listen) {
    const server = createServer((inbound) => {
      track(inbound);
      if (endpoint.kind === 'tcp') inbound.setNoDelay(true);
      const outbound = target.kind === 'tcp' ? connect({ host: target.host, port: target.port, noDelay: true }) : connect({ path: target.path });
      track(outbound);
      const end = () => { inbound.destroy(); outbound.destroy(); };
      inbound.on('error', end).on('close', end);
      outbound.on('error', end).on('close', end);
      inbound.pipe(outbound);
      outbound.pipe(inbound);
    });
    server.on('error', () => {});
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const ready = () => { server.off('error', reject); resolve(); };
      if (endpoint.kind === 'tcp') server.listen(endpoint.port, endpoint.host, ready);
      else server.listen(endpoint.path, ready);
    });
    servers.push(server);
  }
  return {
    close: async () => {
      for (const socket of open) socket.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
