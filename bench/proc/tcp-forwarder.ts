/**
 * Runs a byte forwarder in its own process (and, through `ip netns exec`, in
 * another network namespace). Prints "ready" once every listener is bound.
 *
 *   node --import tsx bench/proc/tcp-forwarder.ts <target> <listen> [<listen>...]
 *   endpoints: tcp:HOST:PORT or unix:/path
 */
import { parseEndpoint, startForwarder } from '../lib/tcp-forwarder.js';

async function main(): Promise<void> {
  const [target, ...listen] = process.argv.slice(2);
  if (!target || listen.length === 0) throw new Error('usage: tcp-forwarder <target> <listen>...');
  const forwarder = await startForwarder(listen.map(parseEndpoint), parseEndpoint(target));
  const shutdown = () => void forwarder.close().finally(() => process.exit(0));
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`tcp-forwarder: ${String(error)}\n`);
  process.exit(1);
});
