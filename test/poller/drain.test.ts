import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createVhost } from '../support/broker.js';
import { startPoller } from '../support/poller-process.js';
import { openCollector } from '../support/result-collector.js';

/** SIGTERM: stop taking jobs, finish (or time out) the ones in flight, publish, ack, exit 0. */
describe('poller drain on SIGTERM', { timeout: 120_000 }, () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!().catch(() => {});
  });

  async function run(label: string, drainMs: number, pingCount: number) {
    const vhost = await createVhost(label);
    cleanups.push(() => vhost.remove());
    const model = await vhost.open();
    cleanups.push(() => model.close());
    const collector = await openCollector(model);
    const poller = await startPoller({
      US_AMQP_DSN: vhost.dsn, USM_POLLER_SATELLITE_ID: label, USM_POLLER_CONCURRENCY: '8', USM_POLLER_DRAIN_TIMEOUT_MS: String(drainMs),
    });
    cleanups.push(() => poller.stop('SIGKILL'));
    // Each job pings loopback for about (count - 1) seconds: slow enough to be in flight at SIGTERM.
    const jobs = Array.from({ length: 20 }, (_, i) => ({
      v: 1, id: `${label}-${i}`, type: 'icmp.ping', target: { host: '127.0.0.1' }, timeoutMs: 30_000, params: { count: pingCount, intervalMs: 1000 },
    }));
    await collector.publish(`usm_poller-sat-${label}`, jobs);
    await poller.waitForLog((r) => r.msg === 'connected and consuming');
    await new Promise((r) => setTimeout(r, 700));
    const code = await poller.stop('SIGTERM', 60_000);
    await new Promise((r) => setTimeout(r, 300));
    // What is left in the queue, by id (broker stats of quorum queues lag, so read the messages).
    const ch = await model.createChannel();
    const left: string[] = [];
    for (let idle = 0; idle < 5;) {
      const message = await ch.get(`usm_poller-sat-${label}`, { noAck: false });
      if (!message) { idle += 1; await new Promise((r) => setTimeout(r, 100)); continue; }
      left.push(JSON.parse(message.content.toString()).id as string);
    }
    await ch.close();
    const queued = left.length;
    const answeredAndLeft = left.filter((id) => collector.statuses.has(id));
    assert.deepEqual(answeredAndLeft, [], 'answered jobs were acked, not left for redelivery');
    assert.deepEqual(new Set([...left, ...collector.statuses.keys()]).size, 20, 'every job answered or still queued');
    return { code, collector, jobs, queued, poller };
  }

  it('finishes the jobs in flight, publishes their results and exits 0; the rest stay queued', async () => {
    const { code, collector, queued, poller } = await run('drain1', 30_000, 2);
    assert.equal(code, 0);
    const answered = [...collector.statuses.values()];
    assert.equal(answered.length, 8, 'exactly the 8 jobs in flight (prefetch) were answered');
    assert.ok(answered.every((s) => s === 'ok'), `all finished ok: ${answered.join(',')}`);
    assert.equal(queued, 12, 'the 12 jobs never started are back in the queue, none lost');
    assert.ok(poller.records.some((r) => r.msg === 'stopped'));
  });

  it('times out jobs still running at the drain deadline, publishes them as timeout and exits 0', async () => {
    const { code, collector, queued } = await run('drain2', 500, 10);
    assert.equal(code, 0);
    const answered = [...collector.statuses.values()];
    assert.equal(answered.length, 8);
    assert.ok(answered.every((s) => s === 'timeout'), `all timed out: ${answered.join(',')}`);
    assert.equal(queued, 12);
  });
});
