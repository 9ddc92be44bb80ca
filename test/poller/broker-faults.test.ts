import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { ChannelModel } from 'amqplib';
import { createVhost, type TestVhost } from '../support/broker.js';
import { startPoller, type PollerProcess } from '../support/poller-process.js';
import { openCollector } from '../support/result-collector.js';

/** Fault tests: every job id must be answered at least once, whatever happens to the broker link or a poller. */
describe('poller fault tolerance (real broker)', { timeout: 240_000 }, () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  let server: Server | undefined;

  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!().catch(() => {});
  });
  after(() => server?.close());

  async function setup(label: string) {
    const vhost = await createVhost(label);
    cleanups.push(() => vhost.remove());
    if (!server) {
      server = createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
      await new Promise((resolve) => server!.once('listening', resolve));
    }
    const port = (server.address() as { port: number }).port;
    const model: ChannelModel = await vhost.open();
    cleanups.push(() => model.close());
    const collector = await openCollector(model);
    const jobs = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ v: 1, id: `${prefix}-${i}`, type: 'tcp.check', target: { host: '127.0.0.1', port } }));
    return { vhost, collector, jobs };
  }

  async function poller(vhost: TestVhost, sat: string): Promise<PollerProcess> {
    const p = await startPoller({ US_AMQP_DSN: vhost.dsn, USM_POLLER_SATELLITE_ID: sat, USM_POLLER_LOG_LEVEL: 'info' });
    cleanups.push(() => p.stop('SIGKILL'));
    return p;
  }

  it('loses no job when the broker force-closes the poller connection during 2,000 jobs', async () => {
    const { vhost, collector, jobs } = await setup('cut');
    const p = await poller(vhost, 'cut1');
    const batch = jobs('cut', 2000);
    await collector.publish('usm_poller-sat-cut1', batch);
    let closes = 0;
    for (const after of [50, 300, 300]) {
      await new Promise((r) => setTimeout(r, after));
      closes += await vhost.closeConnections('usm-poller');
      await p.waitForLog((r) => r.msg === 'connected and consuming' && p.records.filter((x) => x.msg === 'connected and consuming').length > closes, 20_000);
    }
    const { missing, duplicates } = await collector.waitFor(batch.map((j) => j.id), 60_000);
    const reconnects = p.records.filter((r) => r.msg === 'broker link lost; reconnecting').length;
    console.log(`force-close: jobs=2000 closes=${closes} reconnects=${reconnects} lost=${missing.length} duplicates=${duplicates}`);
    assert.ok(closes >= 3, 'the poller connection was closed three times');
    assert.ok(reconnects >= 3, 'the poller reconnected after each close');
    assert.deepEqual(missing, [], 'every job answered');
    assert.equal(p.child.exitCode, null, 'the poller never exited');
  });

  it('loses no job when one of two pollers is SIGKILLed mid-run', async () => {
    const { vhost, collector, jobs } = await setup('kill');
    const a = await poller(vhost, 'kill1');
    const b = await poller(vhost, 'kill1');
    const batch = jobs('kill', 2000);
    await collector.publish('usm_poller-sat-kill1', batch);
    while (collector.counts.size < 300) await new Promise((r) => setTimeout(r, 10));
    assert.equal(await a.stop('SIGKILL'), 'SIGKILL');
    const answeredAtKill = collector.counts.size;
    const { missing, duplicates } = await collector.waitFor(batch.map((j) => j.id), 60_000);
    console.log(`sigkill: jobs=2000 answered-at-kill=${answeredAtKill} lost=${missing.length} duplicates=${duplicates}`);
    assert.ok(answeredAtKill < 2000, 'the kill happened mid-run');
    assert.deepEqual(missing, [], 'every job answered by the surviving poller');
    assert.equal(b.child.exitCode, null);
  });

  it('fails over between the URLs of US_AMQP_DSN and keeps consuming', async () => {
    const { vhost, collector, jobs } = await setup('failover');
    // The first "node" refuses connections; the poller must move on to the second.
    const dead = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => dead.once('listening', resolve));
    const deadPort = (dead.address() as { port: number }).port;
    dead.close();
    const deadUrl = vhost.dsn.replace(':5672/', `:${deadPort}/`);
    const p = await startPoller({ US_AMQP_DSN: `${deadUrl},${vhost.dsn}`, USM_POLLER_SATELLITE_ID: 'fo1' });
    cleanups.push(() => p.stop('SIGKILL'));
    const batch = jobs('fo', 50);
    await collector.publish('usm_poller-sat-fo1', batch);
    const { missing } = await collector.waitFor(batch.map((j) => j.id), 30_000);
    assert.deepEqual(missing, []);
    assert.ok(p.records.some((r) => r.msg === 'broker link lost; reconnecting' && r.broker === `127.0.0.1:${deadPort}`), 'the dead node was tried and logged');
  });
});
