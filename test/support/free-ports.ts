import { createServer, type Server } from 'node:net';

/** Free TCP ports on 127.0.0.1: binds port 0 with every probe open at once, so the ports differ. */
export async function freeTcpPorts(count: number): Promise<number[]> {
  const probes = await Promise.all(Array.from({ length: count }, () => new Promise<Server>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve(probe));
  })));
  const ports = probes.map((probe) => {
    const address = probe.address();
    return typeof address === 'object' && address ? address.port : 0;
  });
  await Promise.all(probes.map((probe) => new Promise((resolve) => probe.close(resolve))));
  return ports;
}

export async function freeTcpPort(): Promise<number> {
  const [port] = await freeTcpPorts(1);
  return port!;
}
