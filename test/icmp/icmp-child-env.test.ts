import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { childEnv, runChild } from '../../poller/lib/executors/icmp/icmp-child.js';

/**
 * fping/ping children must not inherit the poller's environment: it carries
 * US_AMQP_DSN with the broker password. A real child (/usr/bin/env) prints
 * what it got.
 */
describe('icmp child environment', () => {
  it('gives a child only PATH and LC_ALL=C, never the poller secrets', { timeout: 10_000 }, async () => {
    const secret = 'amqps://poller:broker-secret-pw@broker.example:5671/usm';
    const saved = { dsn: process.env.US_AMQP_DSN, lang: process.env.LANG };
    process.env.US_AMQP_DSN = secret;
    process.env.LANG = 'ru_RU.UTF-8';
    try {
      const exit = await runChild({ file: '/usr/bin/env', args: [], signal: AbortSignal.timeout(5000), timeoutMs: 5000 });
      assert.equal(exit.exitCode, 0, exit.stderr);
      assert.ok(!exit.stdout.includes('broker-secret-pw'), 'the broker password reached the child');
      const names = exit.stdout.split('\n').filter((line) => line !== '').map((line) => line.slice(0, line.indexOf('='))).sort();
      assert.deepEqual(names, ['LC_ALL', 'PATH']);
      assert.match(exit.stdout, /^LC_ALL=C$/m);
      assert.match(exit.stdout, new RegExp(`^PATH=${(process.env.PATH ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    } finally {
      for (const [name, value] of [['US_AMQP_DSN', saved.dsn], ['LANG', saved.lang]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('falls back to the system PATH when the poller runs without one', () => {
    assert.deepEqual(childEnv({ US_AMQP_DSN: 'x', HOME: '/root' }), { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' });
    assert.deepEqual(childEnv({ PATH: '/opt/bin' }), { PATH: '/opt/bin', LC_ALL: 'C' });
  });
});
