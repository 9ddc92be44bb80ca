import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVhost, type TestVhost } from '../support/broker.js';
import { startPoller, type PollerProcess } from '../support/poller-process.js';
import { buildJobFromFlags } from '../../appliance/lib/job/build-job.js';
import { percentile, summarizeRun } from '../../appliance/lib/job/latency-summary.js';

const BIN = fileURLToPath(new URL('../../appliance/bin.ts', import.meta.url));

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { env: { PATH: process.env.PATH ?? '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c; });
    child.stderr.on('data', (c: Buffer) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

describe('job building and summaries (pure)', () => {
  it('turns --param values into JSON where they parse and nests dotted keys', () => {
    const job = buildJobFromFlags({ type: 'snmp.get', host: '127.0.0.1', port: 1161, timeoutMs: 500,
      params: ['version=2c', 'community=public', 'oids=["1.3.6.1.2.1.1.5.0"]', 'retries=1', 'v3.user=ops'] });
    assert.deepEqual(job, {
      v: 1, type: 'snmp.get', target: { host: '127.0.0.1', port: 1161 }, timeoutMs: 500,
      params: { version: '2c', community: 'public', oids: ['1.3.6.1.2.1.1.5.0'], retries: 1, v3: { user: 'ops' } },
    });
  });

  it('rejects a --param without "=" and a conflicting nested key', () => {
    assert.throws(() => buildJobFromFlags({ type: 't', params: ['oops'] }), /--param: "oops" must be key=value/);
    assert.throws(() => buildJobFromFlags({ type: 't', params: ['a=1', 'a.b=2'] }), /conflicts/);
  });

  it('computes nearest-rank percentiles and counts', () => {
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50), 5);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99), 10);
    const summary = summarizeRun(['ok', 'ok', 'timeout'], [10, 20, 30], 2);
    assert.deepEqual({ ok: summary.ok, failed: summary.failed, jps: summary.jobsPerSecond }, { ok: 2, failed: 1, jps: 1.5 });
  });
});

describe('usm-appliance job against a real poller', { timeout: 120_000 }, () => {
  let vhost: TestVhost;
  let poller: PollerProcess;
  let dir: string;
  before(async () => {
    vhost = await createVhost('jobcli');
    dir = mkdtempSync(join(tmpdir(), 'usm-jobcli-'));
    poller = await startPoller({ US_AMQP_DSN: vhost.dsn, USM_POLLER_SATELLITE_ID: 'cli9' });
  });
  after(async () => {
    await poller?.stop('SIGKILL');
    await vhost?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the result and exits 0 when the status is ok', async () => {
    const result = await cli(['job', '--dsn', vhost.dsn, '--satellite', 'cli9', '--type', 'tcp.check', '--host', '127.0.0.1', '--param', 'port=5672']);
    assert.equal(result.code, 0, result.stderr);
    const body = JSON.parse(result.stdout);
    assert.equal(body.status, 'ok');
    assert.equal(body.data.open, true);
  });

  it('exits 1 when the status is not ok (invalid job from --file)', async () => {
    const file = join(dir, 'job.json');
    writeFileSync(file, JSON.stringify({ v: 1, id: 'from-file', type: 'tcp.check', target: { host: '127.0.0.1' } }));
    const result = await cli(['job', '--dsn', vhost.dsn, '--satellite', 'cli9', '--file', file]);
    assert.equal(result.code, 1);
    const body = JSON.parse(result.stdout);
    assert.equal(body.id, 'from-file');
    assert.equal(body.status, 'invalid');
  });

  it('sends N copies with --count and prints a summary', async () => {
    const result = await cli(['job', '--dsn', vhost.dsn, '--satellite', 'cli9', '--type', 'tcp.check', '--host', '127.0.0.1',
      '--param', 'port=5672', '--count', '300', '--concurrency', '32']);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout);
    assert.equal(summary.sent, 300);
    assert.equal(summary.ok, 300);
    assert.ok(summary.jobsPerSecond > 0);
    assert.ok(summary.latencyMs.p99 >= summary.latencyMs.p50);
  });

  it('says clearly when the queue does not exist and when arguments are wrong', async () => {
    const noQueue = await cli(['job', '--dsn', vhost.dsn, '--satellite', 'nobody', '--type', 'tcp.check', '--host', '127.0.0.1']);
    assert.equal(noQueue.code, 1);
    assert.match(noQueue.stderr, /queue usm_poller-sat-nobody does not exist: start a poller/);
    const badPort = await cli(['job', '--dsn', vhost.dsn, '--type', 'tcp.check', '--host', 'h', '--port', '70000']);
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /--port: /);
    const both = await cli(['job', '--dsn', vhost.dsn, '--satellite', 'a', '--queue', 'b', '--type', 'x']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--satellite and --queue/);
    const unknownFlag = await cli(['job', '--colour', 'red']);
    assert.equal(unknownFlag.code, 2);
    assert.match(unknownFlag.stderr, /colour/);
    const noBroker = await cli(['job', '--dsn', 'amqp://u:secretpw@127.0.0.1:1/%2f', '--type', 'tcp.check', '--host', 'h']);
    assert.equal(noBroker.code, 1);
    assert.match(noBroker.stderr, /cannot connect to amqp:\/\/u:xxxxx@127\.0\.0\.1:1/);
    assert.doesNotMatch(noBroker.stderr, /secretpw/);
  });
});
