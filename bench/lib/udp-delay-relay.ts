import { createSocket, type Socket } from 'node:dgram';

export interface DelayRelayOptions {
  /** Where the real agent listens. */
  upstream: { host: string; port: number };
  /** Added to each datagram in each direction (a 5 ms one-way delay makes a device 10 ms away). */
  delayMs: number;
  /** One UDP port per simulated device, all relaying to the same agent. */
  devices: number;
  bindHost?: string;
}

export interface DelayRelay {
  ports: number[];
  readonly forwarded: number;
  close(): Promise<void>;
}

/**
 * A UDP relay that makes a local agent look like `devices` devices far away:
 * each device port keeps one upstream socket per client address, so replies
 * find their way back; every datagram waits `delayMs` before it moves on.
 */
export async function startDelayRelay(options: DelayRelayOptions): Promise<DelayRelay> {
  const bindHost = options.bindHost ?? '127.0.0.1';
  const sockets: Socket[] = [];
  let forwarded = 0;
  const bind = async (socket: Socket) => {
    socket.on('error', () => {}); // a bad datagram or a closed peer must not end the relay
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, bindHost, () => { socket.off('error', reject); resolve(); });
    });
    sockets.push(socket);
    return socket;
  };
  const later = (fn: () => void) => setTimeout(fn, options.delayMs);

  const ports: number[] = [];
  for (let d = 0; d < options.devices; d++) {
    const device = await bind(createSocket('udp4'));
    const clients = new Map<string, Promise<Socket>>();
    device.on('message', (msg, from) => {
      const key = `${from.address}:${from.port}`;
      let upstream = clients.get(key);
      if (!upstream) {
        upstream = bind(createSocket('udp4')).then((socket) => {
          socket.on('message', (reply) => later(() => {
            forwarded++;
            device.send(reply, from.port, from.address, () => {});
          }));
          return socket;
        });
        clients.set(key, upstream);
      }
      later(() => {
        void upstream.then((socket) => {
          forwarded++;
          socket.send(msg, options.upstream.port, options.upstream.host, () => {});
        });
      });
    });
    ports.push(device.address().port);
  }
  return {
    ports,
    get forwarded() {
      return forwarded;
    },
    close: async () => {
      await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
