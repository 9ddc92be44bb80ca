import { createServer, type Server } from 'node:http';
import ipaddr from 'ipaddr.js';
import type { Logger } from '../../../common/logger.js';
import { UsmError } from '../../../common/usm-error.js';
import type { PollerMetrics } from './poller-metrics.js';
import type { HealthSnapshot } from './health-snapshot.js';

export interface HealthServerOptions {
  /** ADDRESS:PORT; an unspecified address (0.0.0.0, ::) is refused: metrics stay on the tunnel. */
  listen: string;
  metrics: PollerMetrics;
  snapshot(): HealthSnapshot;
  log: Logger;
}

/** GET /healthz (200 when connected and consuming, else 503, JSON body) and GET /metrics (Prometheus text). */
export async function startHealthServer(options: HealthServerOptions): Promise<Server> {
  const { host, port } = splitListen(options.listen);
  const server = createServer((request, response) => {
    void (async () => {
      if (request.method !== 'GET') return reply(response, 405, 'text/plain', 'method not allowed\n');
      if (request.url === '/healthz') {
        const snapshot = options.snapshot();
        return reply(response, snapshot.healthy ? 200 : 503, 'application/json', `${JSON.stringify(snapshot)}\n`);
      }
      if (request.url === '/metrics') {
        return reply(response, 200, options.metrics.registry.contentType, await options.metrics.registry.metrics());
      }
      return reply(response, 404, 'text/plain', 'not found\n');
    })().catch((error: unknown) => reply(response, 500, 'text/plain', `${String(error)}\n`));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new UsmError('E_HTTP_LISTEN', `cannot listen on ${options.listen}: ${error.message}`, { cause: error })));
    server.listen({ host, port }, resolve);
  });
  server.on('error', (error) => options.log.warn({ err: error.message }, 'health server error'));
  options.log.info({ listen: options.listen }, 'health and metrics served');
  return server;
}

export function splitListen(listen: string): { host: string; port: number } {
  const match = /^\[?([0-9a-fA-F:.]+)\]?:(\d{1,5})$/.exec(listen);
  if (!match) throw new UsmError('E_CONFIG', `USM_POLLER_HTTP_LISTEN: "${listen}" must be ADDRESS:PORT`);
  const host = match[1]!;
  // Parse rather than compare text: "0", "0.0" and "[0:0:0:0:0:0:0:0]" all bind every interface too.
  if (!ipaddr.isValid(host) || (ipaddr.IPv4.isValid(host) && !ipaddr.IPv4.isValidFourPartDecimal(host))) {
    throw new UsmError('E_CONFIG', `USM_POLLER_HTTP_LISTEN: "${host}" must be a plain IPv4 (a.b.c.d) or IPv6 address`);
  }
  if (ipaddr.process(host).range() === 'unspecified') {
    throw new UsmError('E_CONFIG', 'USM_POLLER_HTTP_LISTEN: refusing an unspecified address; give the tunnel address');
  }
  return { host, port: Number(match[2]) };
}

function reply(response: import('node:http').ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}
