import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ssh2 from 'ssh2';
import { createSshExecutors } from '../../poller/lib/executors/ssh/ssh-executors.js';
import { createSilentLogger } from '../../common/logger.js';
import { outputsOf, runValidJob } from './run-cli-job.js';

const executor = createSshExecutors({ log: createSilentLogger() }).executors[0]!;

type Silence = 'channel open' | 'exec request';

/**
 * A real SSH server (ssh2's) that authenticates and then never answers: not
 * the session channel open, or not the exec request on it. Old gear with a
 * wedged CLI process does exactly that.
 */
async function withSilentServer(silence: Silence, run: (port: number) => Promise<void>): Promise<void> {
  const hostKey = ssh2.utils.generateKeyPairSync('ed25519', {}).private;
  const clients = new Set<ssh2.Connection>();
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    clients.add(client);
    client.on('error', () => {});
    client.on('authentication', (ctx) => (ctx.method === 'password' && ctx.password === 'secret-pw' ? ctx.accept() : ctx.reject(['password'])));
    client.on('session', (accept) => {
      if (silence === 'channel open') return;
      accept().on('exec', () => {});
    });
  });
  server.on('error', () => {});
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', () => ready()));
  try {
    await run((server.address() as { port: number }).port);
  } finally {
    for (const client of clients) client.end();
    await new Promise<void>((done) => server.close(() => done()));
  }
}

describe('ssh.exec exec mode when the device never answers the command channel', { timeout: 30_000 }, () => {
  for (const silence of ['channel open', 'exec request'] as const) {
    it(`commandTimeoutMs ends the job with E_TIMEOUT and a timedOut output (no answer to the ${silence})`, async () => {
      await withSilentServer(silence, async (port) => {
        const result = await runValidJob(executor, {
          type: 'ssh.exec',
          target: { host: '127.0.0.1', port },
          timeoutMs: 8000,
          params: { username: 'admin', password: 'secret-pw', commands: ['show version', 'show clock'], commandTimeoutMs: 300 },
        });
        assert.equal(result.status, 'timeout', JSON.stringify(result));
        assert.equal(result.error?.code, 'E_TIMEOUT');
        assert.match(result.error?.message ?? '', /"show version" still running after 300 ms/);
        assert.deepEqual(outputsOf(result), [{ command: 'show version', output: '', stderr: '', exitCode: null, timedOut: true }]);
      });
    });
  }
});
