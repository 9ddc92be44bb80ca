import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChannelModel } from 'amqplib';
import { createVhost, rabbitmqctl, type TestVhost } from '../support/broker.js';
import { startPoller, type PollerProcess } from '../support/poller-process.js';
import { JobClient } from '../../appliance/lib/job/job-client.js';

/** A producer declared the job queue first, with other arguments: consume it as it is, warn once, never redeclare. */
describe('poller with a job queue declared by someone else', { timeout: 60_000 }, () => {
  let vhost: TestVhost;
  let model: ChannelModel;
  let poller: PollerProcess;

  before(async () => {
    vhost = await createVhost('preq');
    model = await vhost.open();
    const channel = await model.createChannel();
    await channel.assertQueue('usm_poller-sat-pre1', { durable: true, arguments: { 'x-max-length': 1000 } });
    await channel.close();
    poller = await startPoller({ US_AMQP_DSN: vhost.dsn, USM_POLLER_SATELLITE_ID: 'pre1' });
  });
  after(async () => {
    await poller?.stop('SIGKILL');
    await model?.close().catch(() => {});
    await vhost?.remove();
  });

  it('logs exactly one warning and keeps the queue as it was', async () => {
    const warnings = poller.records.filter((r) => r.level === 40 && /other arguments/.test(r.msg));
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.object, 'queue usm_poller-sat-pre1');
    const out = await rabbitmqctl(['list_queues', '-p', vhost.name, '--quiet', '--no-table-headers', 'name', 'type', 'arguments']);
    const line = out.split('\n').find((l) => l.startsWith('usm_poller-sat-pre1\t'))!;
    assert.match(line, /\tclassic\t/);
    assert.match(line, /x-max-length/);
    assert.doesNotMatch(line, /x-delivery-limit/);
  });

  it('consumes and answers jobs from it', async () => {
    const client = await JobClient.open(vhost.dsn);
    try {
      const { result } = await client.request('usm_poller-sat-pre1', { v: 1, type: 'tcp.check', target: { host: '127.0.0.1', port: 5672 } }, 10_000);
      assert.equal(result.status, 'ok');
    } finally {
      await client.close();
    }
  });
});
