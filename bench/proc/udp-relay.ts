/**
 * Runs the delaying UDP relay in its own process, so its timers do not share
 * an event loop with the load generator. Prints {"ports":[...]} when ready.
 *
 *   node --import tsx bench/proc/udp-relay.ts <upstream host> <upstream port> <delay ms> <devices>
 */
import { startDelayRelay } from '../lib/udp-delay-relay.js';

async function main(): Promise<void> {
  const [host, port, delay, devices] = process.argv.slice(2);
  if (!host || !port || !delay || !devices) throw new Error('usage: udp-relay <host> <port> <delayMs> <devices>');
  const relay = await startDelayRelay({ upstream: { host, port: Number(port) }, delayMs: Number(delay), devices: Number(devices) });
  const shutdown = () => void relay.close().finally(() => process.exit(0));
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdout.write(`${JSON.stringify({ ports: relay.ports })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`udp-relay: ${String(error)}\n`);
  process.exit(1);
});
