import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { Channel, ChannelModel } from 'amqplib';
import { createVhost, rabbitmqctl, type TestVhost } from '../support/broker.js';
import { startPoller, type PollerProcess } from '../support/poller-process.js';
import { JobClient } from '../../appliance/lib/job/job-client.js';

const SAT = 'proto7';
const QUEUE = `usm_poller-sat-${SAT}`;

describe('poller against the real broker: protocol v1', { timeout: 120_000 }, () => {
  let vhost: TestVhost;
  let poller: PollerProcess;
  let client: JobClient;
  let model: ChannelModel;
  let channel: Channel;
  let server: Server;
  let openPort: number;

  before(async () => {
    vhost = await createVhost('proto');
    server = createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    openPort = (server.address() as { port: number }).port;
    poller = await startPoller({ US_AMQP_DSN: vhost.dsn, USM_POLLER_SATELLITE_ID: SAT, USM_POLLER_MAX_JOB_BYTES: '65536' });
    client = await JobClient.open(vhost.dsn);
    model = await vhost.open();
    channel = await model.createChannel();
  });

  after(async () => {
    await client?.close();
    await model?.close().catch(() => {});
    await poller?.stop('SIGKILL');
    server?.close();
    await vhost?.remove();
  });

  it('declares the job queue as a quorum queue with the dead-letter exchange and delivery limit', async () => {
    const out = await rabbitmqctl(['list_queues', '-p', vhost.name, '--quiet', '--no-table-headers', 'name', 'type', 'arguments']);
    const line = out.split('\n').find((l) => l.startsWith(`${QUEUE}\t`));
    assert.ok(line, `queue ${QUEUE} listed:\n${out}`);
    assert.match(line, /\tquorum\t/);
    assert.match(line, /x-dead-letter-exchange.*usm_poller\.dlx/);
    assert.match(line, /x-delivery-limit.*5/);
    const consumers = await rabbitmqctl(['list_consumers', '-p', vhost.name, '--quiet', '--no-table-headers', 'queue_name', 'prefetch_count']);
    assert.match(consumers, new RegExp(`^${QUEUE}\\t64$`, 'm'), 'one consumer with prefetch = concurrency (64)');
    assert.ok(out.split('\n').some((l) => l.startsWith(`${QUEUE}.dead\t`)), 'dead-letter queue exists');
  });

  it('answers tcp.check through reply_to with the job id and correlation', async () => {
    const { result } = await client.request(QUEUE, { v: 1, id: 'tcp-1', type: 'tcp.check', target: { host: '127.0.0.1', port: openPort } }, 10_000);
    assert.equal(result.status, 'ok');
    assert.equal(result.id, 'tcp-1');
    assert.equal(result.type, 'tcp.check');
    assert.equal(result.v, 1);
    assert.deepEqual((result.data as { open: boolean }).open, true);
    assert.equal(result.error, null);
    const pollerInfo = result.poller as Record<string, unknown>;
    assert.equal(pollerInfo.satelliteId, SAT);
    assert.equal(typeof pollerInfo.version, 'string');
    assert.ok(Date.parse(result.finishedAt as string) >= Date.parse(result.startedAt as string));
  });

  it('publishes to usm_poller.results with result.<sat>.<type> when there is no reply_to', async () => {
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, 'usm_poller.results', `result.${SAT}.#`);
    channel.sendToQueue(QUEUE, Buffer.from(JSON.stringify({ v: 1, id: 'topic-1', type: 'tcp.check', target: { host: '127.0.0.1', port: openPort } })), {
      contentType: 'application/json', correlationId: 'corr-topic-1',
    });
    const message = await waitForMessage(channel, queue);
    assert.equal(message.fields.routingKey, `result.${SAT}.tcp.check`);
    assert.equal(message.properties.correlationId, 'corr-topic-1');
    assert.equal(message.properties.contentType, 'application/json');
    assert.equal(JSON.parse(message.content.toString()).id, 'topic-1');
  });

  it('answers an expired job with status expired without running it', async () => {
    const { result } = await client.request(QUEUE, {
      v: 1, id: 'exp-1', type: 'tcp.check', target: { host: '127.0.0.1', port: openPort }, expiresAt: '2020-01-01T00:00:00Z',
    }, 10_000);
    assert.equal(result.status, 'expired');
    assert.equal((result.error as { code: string }).code, 'E_EXPIRED');
    assert.equal(result.data, null);
  });

  it('answers malformed messages invalid and dead-letters every one of them', async () => {
    const dead = `${QUEUE}.dead`;
    await channel.purgeQueue(dead);
    const cases: Array<{ name: string; body: Buffer; expect: RegExp }> = [
      { name: 'not-json', body: Buffer.from('{"v":1,'), expect: /not valid JSON/ },
      { name: 'array', body: Buffer.from('[1,2]'), expect: /JSON object/ },
      { name: 'wrong-schema', body: Buffer.from(JSON.stringify({ v: 1, id: 'ws', type: 'tcp.check', target: { host: '127.0.0.1' }, timeoutMs: -5 })), expect: /timeoutMs/ },
      { name: 'unknown-key', body: Buffer.from(JSON.stringify({ v: 1, id: 'uk', type: 'tcp.check', target: { host: '127.0.0.1', port: 1 }, extra: 1 })), expect: /extra/ },
      { name: 'unknown-type', body: Buffer.from(JSON.stringify({ v: 1, id: 'ut', type: 'snmp.teleport', target: { host: '127.0.0.1' } })), expect: /unknown job type "snmp\.teleport"/ },
      { name: 'bad-params', body: Buffer.from(JSON.stringify({ v: 1, id: 'bp', type: 'tcp.check', target: { host: '127.0.0.1' }, params: { port: 'x' } })), expect: /params\.port/ },
      { name: 'wrong-version', body: Buffer.from(JSON.stringify({ v: 2, id: 'wv', type: 'tcp.check', target: { host: '127.0.0.1', port: 1 } })), expect: /^v:/ },
      { name: 'huge', body: Buffer.alloc(200_000, 0x20), expect: /over the 65536-byte limit/ },
    ];
    const { queue: replies } = await channel.assertQueue('', { exclusive: true });
    for (const c of cases) {
      channel.sendToQueue(QUEUE, c.body, { contentType: 'application/json', replyTo: replies, correlationId: c.name, messageId: `mid-${c.name}` });
    }
    const seen = new Map<string, Record<string, unknown>>();
    while (seen.size < cases.length) {
      const message = await waitForMessage(channel, replies);
      seen.set(message.properties.correlationId as string, JSON.parse(message.content.toString()));
    }
    for (const c of cases) {
      const result = seen.get(c.name)!;
      assert.equal(result.status, 'invalid', c.name);
      const error = result.error as { code: string; message: string };
      assert.equal(error.code, 'E_INVALID_JOB', c.name);
      assert.match(error.message, c.expect, c.name);
    }
    assert.equal(seen.get('not-json')!.id, 'mid-not-json', 'id falls back to message_id');
    assert.equal(seen.get('unknown-type')!.id, 'ut');
    const deadIds = new Set<string>();
    const deadline = Date.now() + 10_000;
    while (deadIds.size < cases.length && Date.now() < deadline) {
      const message = await channel.get(dead, { noAck: true });
      if (message) deadIds.add(message.properties.correlationId as string);
      else await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual([...deadIds].sort(), cases.map((c) => c.name).sort(), 'every malformed message is in the dead-letter queue');
    assert.equal(poller.child.exitCode, null, 'the poller keeps running');
  });

  it('dead-letters a job whose result nothing can receive, instead of acking it into nowhere', async () => {
    const dead = `${QUEUE}.dead`;
    await channel.purgeQueue(dead);
    channel.sendToQueue(QUEUE, Buffer.from(JSON.stringify({ v: 1, id: 'lost-reply', type: 'tcp.check', target: { host: '127.0.0.1', port: openPort } })), {
      contentType: 'application/json', replyTo: 'no-such-reply-queue', correlationId: 'corr-lost',
    });
    const message = await waitForMessage(channel, dead);
    assert.equal(JSON.parse(message.content.toString()).id, 'lost-reply');
    await poller.waitForLog((r) => r.msg === 'result was unroutable; the job goes to the dead-letter queue' && r.job === 'lost-reply');
  });

  it('runs many jobs at once, not one at a time', async () => {
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) =>
      client.request(QUEUE, { v: 1, id: `many-${i}`, type: 'tcp.check', target: { host: '127.0.0.1', port: openPort } }, 20_000)));
    assert.equal(replies.filter((r) => r.result.status === 'ok').length, 200);
    assert.deepEqual(new Set(replies.map((r) => r.result.id)).size, 200);
  });

  it('keeps secrets out of results and logs', async () => {
    const secret = 'S3cretCommunity-xyz';
    const { result } = await client.request(QUEUE, {
      v: 1, id: 'sec-1', type: 'tcp.check', target: { host: '127.0.0.1', port: openPort }, params: { port: openPort, community: secret },
    }, 10_000);
    assert.equal(result.status, 'invalid');
    assert.ok(!JSON.stringify(result).includes(secret));
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(!poller.output().includes(secret), 'secret absent from the poller output');
    assert.ok(!poller.output().includes(':guest@'), 'DSN password absent from logs');
  });
});

function waitForMessage(channel: Channel, queue: string, timeoutMs = 10_000) {
  return new Promise<import('amqplib').GetMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message on ${queue} within ${timeoutMs} ms`)), timeoutMs);
    const poll = async () => {
      const message = await channel.get(queue, { noAck: true });
      if (message) {
        clearTimeout(timer);
        resolve(message);
      } else setTimeout(poll, 50);
    };
    void poll();
  });
}
