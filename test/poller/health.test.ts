import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVhost, type TestVhost } from '../support/broker.js';
import { startPoller, type PollerProcess } from '../support/poller-process.js';
import { JobClient } from '../../appliance/lib/job/job-client.js';
import { splitListen } from '../../poller/lib/health/health-server.js';
import { parseHandshakeAge } from '../../poller/lib/health/tunnel-handshake.js';
import { freeTcpPort } from '../support/free-ports.js';

const BIN = fileURLToPath(new URL('../../poller/bin.ts', import.meta.url));
const health = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', BIN, 'health', ...args], { encoding: 'utf8', timeout: 30_000 });

describe('poller health: status file, /healthz, /metrics', { timeout: 90_000 }, () => {
  let vhost: TestVhost;
  let poller: PollerProcess;
  let dir: string;
  let port: number;

  before(async () => {
    vhost = await createVhost('health');
    dir = mkdtempSync(join(tmpdir(), 'usm-health-'));
    port = await freeTcpPort();
    poller = await startPoller({
      US_AMQP_DSN: vhost.dsn, USM_POLLER_SATELLITE_ID: 'h1',
      USM_POLLER_STATUS_FILE: join(dir, 'status.json'), USM_POLLER_HTTP_LISTEN: `127.0.0.1:${port}`, USM_POLLER_WG_INTERFACE: 'usmnone0',
    });
  });
  after(async () => {
    await poller?.stop('SIGKILL');
    await vhost?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports healthy through the status file and over HTTP', async () => {
    const viaFile = health(['--file', join(dir, 'status.json')]);
    assert.equal(viaFile.status, 0, viaFile.stderr);
    assert.match(viaFile.stdout, /^healthy: connected to 127\.0\.0\.1:5672, consuming usm_poller-sat-h1/);
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.healthy, true);
    assert.equal(body.satelliteId, 'h1');
  });

  it('counts jobs by type and status in /metrics', async () => {
    const client = await JobClient.open(vhost.dsn);
    try {
      await client.request('usm_poller-sat-h1', { v: 1, type: 'tcp.check', target: { host: '127.0.0.1', port: 5672 } }, 10_000);
      await client.request('usm_poller-sat-h1', { v: 1, type: 'nope' }, 10_000);
    } finally {
      await client.close();
    }
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(text, /usm_poller_jobs_total\{type="tcp\.check",status="ok"\} 1/);
    assert.match(text, /usm_poller_jobs_total\{type="nope",status="invalid"\} 1/);
    assert.match(text, /usm_poller_job_duration_seconds_bucket\{le="0\.005",type="tcp\.check"\}/);
    assert.match(text, /usm_poller_jobs_in_flight 0/);
    assert.match(text, /usm_poller_broker_reconnects_total 0/);
    // No such interface here: the handshake metric is declared but has no sample, and the poller says why once.
    assert.match(text, /# TYPE usm_poller_tunnel_handshake_age_seconds gauge/);
    assert.doesNotMatch(text, /^usm_poller_tunnel_handshake_age_seconds[{ ]/m);
    assert.ok(poller.records.some((r) => /cannot read the tunnel handshake/.test(r.msg) && r.ifname === 'usmnone0'));
  });

  it('reads the newest handshake age from wg output', () => {
    const now = 1_700_000_100_000;
    assert.equal(parseHandshakeAge('pk1=\t1700000000\npk2=\t1700000090\n', now), 10);
    assert.equal(parseHandshakeAge('pk1=\t0\n', now), null);
    assert.equal(parseHandshakeAge('', now), null);
  });

  it('reports unhealthy once the poller is gone (stale status)', async () => {
    assert.equal(await poller.stop('SIGTERM'), 0);
    const result = health(['--file', join(dir, 'status.json'), '--max-age-s', '30']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^unhealthy: not connected to the broker/);
    const missing = health(['--file', join(dir, 'absent.json')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^unhealthy: no status/);
  });

  it('refuses every spelling of an unspecified address', () => {
    for (const listen of ['0.0.0.0:1', '[::]:1', '[0:0:0:0:0:0:0:0]:1', '[::ffff:0.0.0.0]:1']) {
      assert.throws(() => splitListen(listen), /refusing an unspecified address/, listen);
    }
    for (const listen of ['0:1', '0.0:1']) assert.throws(() => splitListen(listen), /must be a plain IPv4/, listen);
    assert.deepEqual(splitListen('[fd00::2]:9464'), { host: 'fd00::2', port: 9464 });
  });

  it('refuses to serve metrics on an unspecified address', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', BIN], {
      env: { PATH: process.env.PATH ?? '', US_AMQP_DSN: vhost.dsn, USM_POLLER_HTTP_LISTEN: '0.0.0.0:9464' }, encoding: 'utf8', timeout: 30_000,
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /USM_POLLER_HTTP_LISTEN: refusing an unspecified address/);
  });
});
