import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../poller/lib/config/load-config.js';
import { UsmError } from '../../common/usm-error.js';

const BIN = fileURLToPath(new URL('../../poller/bin.ts', import.meta.url));
const DSN = 'amqp://u:p@127.0.0.1:5672/%2f';

function runBin(env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', BIN], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
}

describe('poller configuration from the environment', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({ US_AMQP_DSN: DSN });
    assert.equal(config.queue, 'usm_poller');
    assert.equal(config.satelliteId, null);
    assert.equal(config.concurrency, 64);
    assert.equal(config.deliveryLimit, 5);
    assert.equal(config.logLevel, 'info');
    assert.deepEqual(config.urls, [DSN]);
  });

  it('follows USM_POLLER_SATELLITE_ID for the queue name and splits a cluster DSN list', () => {
    const config = loadConfig({ US_AMQP_DSN: `${DSN}, amqps://u:p@10.0.0.2:5671/%2f`, USM_POLLER_SATELLITE_ID: 'sat_7-a', USM_POLLER_CONCURRENCY: '200' });
    assert.equal(config.queue, 'usm_poller-sat-sat_7-a');
    assert.equal(config.urls.length, 2);
    assert.equal(config.concurrency, 200);
  });

  it('reads per-component log levels', () => {
    const config = loadConfig({ US_AMQP_DSN: DSN, USM_POLLER_LOG_LEVEL: 'warn,snmp=debug' });
    assert.equal(config.logLevel, 'warn');
    assert.deepEqual(config.logComponents, { snmp: 'debug' });
  });

  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ['missing DSN', {}, /US_AMQP_DSN: required/],
    ['http DSN', { US_AMQP_DSN: 'http://x/' }, /US_AMQP_DSN: each URL/],
    ['one bad URL in a list', { US_AMQP_DSN: `${DSN},nonsense` }, /US_AMQP_DSN: each URL/],
    ['satellite id with a space', { US_AMQP_DSN: DSN, USM_POLLER_SATELLITE_ID: 'a b' }, /USM_POLLER_SATELLITE_ID: must be 1-64/],
    ['satellite id too long', { US_AMQP_DSN: DSN, USM_POLLER_SATELLITE_ID: 'x'.repeat(65) }, /USM_POLLER_SATELLITE_ID/],
    ['concurrency zero', { US_AMQP_DSN: DSN, USM_POLLER_CONCURRENCY: '0' }, /USM_POLLER_CONCURRENCY: must be at least 1/],
    ['concurrency text', { US_AMQP_DSN: DSN, USM_POLLER_CONCURRENCY: 'many' }, /USM_POLLER_CONCURRENCY: must be a whole number/],
    ['log level', { US_AMQP_DSN: DSN, USM_POLLER_LOG_LEVEL: 'loud' }, /USM_POLLER_LOG_LEVEL/],
    ['local address', { US_AMQP_DSN: DSN, USM_POLLER_LOCAL_ADDRESS: 'tunnel' }, /USM_POLLER_LOCAL_ADDRESS: must be an IPv4 or IPv6/],
  ];
  for (const [name, env, expected] of bad) {
    it(`rejects ${name} naming the variable`, () => {
      assert.throws(() => loadConfig(env), (error: unknown) => {
        assert.ok(error instanceof UsmError);
        assert.equal(error.code, 'E_CONFIG');
        assert.match([error.message, ...error.problems].join('\n'), expected);
        return true;
      });
    });
  }

  it('exits 2 with one line naming the variable and no stack trace', () => {
    const result = runBin({ US_AMQP_DSN: DSN, USM_POLLER_CONCURRENCY: '-3' });
    assert.equal(result.status, 2);
    assert.equal(result.stderr.trim(), 'usm-poller: invalid environment: USM_POLLER_CONCURRENCY: must be a whole number');
    assert.doesNotMatch(result.stderr, /\bat \S+:\d+/);
    assert.equal(result.stdout, '');
  });

  it('exits 2 when US_AMQP_DSN is missing, without echoing other variables', () => {
    const result = runBin({ USM_POLLER_SATELLITE_ID: '7' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^usm-poller: invalid environment: US_AMQP_DSN: required/);
  });
});
