import { createSocket, type Socket } from 'node:dgram';

/** UDP ports on 127.0.0.1 that take every datagram and never answer: devices that time out. */
export async function startSilentTargets(count: number): Promise<{ ports: number[]; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i++) {
    const socket = createSocket('udp4');
    socket.on('error', () => {});
    socket.on('message', () => {});
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    sockets.push(socket);
  }
  let closed = false;
  return {
    ports: sockets.map((s) => s.address().port),
    close: async () => {
      if (closed) return;
      closed = true;
      await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
