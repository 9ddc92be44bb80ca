/**
 * The satellite permissions on the real RabbitMQ at 127.0.0.1:5672: a unique vhost and unique
 * satellite ids, created with the rendered rabbitmqctl commands and removed in after().
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { connect, type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { planSatelliteBrokerUser, type RabbitmqctlCommand, type SatelliteBrokerUser } from '../../provision/lib/broker-users/satellite-broker-user.js';
import {
  DEAD_LETTER_EXCHANGE,
  RESULTS_EXCHANGE,
  deadQueueName,
  jobQueueArguments,
  jobQueueName,
  resultRoutingKey,
} from '../../poller/lib/broker/topology.js';

const tag = randomBytes(4).toString('hex');
const vhost = `usm-test-perm-${tag}`;
const idA = `a${tag}`;
const idB = `b${tag}`;
const idC = `c${tag}`;
const users: SatelliteBrokerUser[] = [];
const connections: ChannelModel[] = [];
let satA: SatelliteBrokerUser;
let satB: SatelliteBrokerUser;

async function ctl(command: RabbitmqctlCommand): Promise<string> {
  const result = await execa('rabbitmqctl', command.args, {
    timeout: 60_000,
    ...(command.stdin === undefined ? { stdin: 'ignore' as const } : { input: command.stdin }),
  });
  return String(result.stdout);
}

async function open(user: string, password: string): Promise<ChannelModel> {
  const model = await connect(`amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:5672/${encodeURIComponent(vhost)}`, {
    timeout: 10_000,
  });
  model.on('error', () => undefined);
  connections.push(model);
  return model;
}

/** Runs one step on a fresh confirm channel (a refusal closes the channel): 'ok' or the broker's reply. */
async function attempt(model: ChannelModel, step: (channel: ConfirmChannel) => Promise<unknown>): Promise<string> {
  const channel = await model.createConfirmChannel();
  let closedBecause: string | undefined;
  const closed = new Promise<void>((resolve) => channel.once('close', () => resolve()));
  channel.on('error', (error: Error) => {
    closedBecause = error.message;
  });
  try {
    await step(channel);
    await channel.waitForConfirms();
    return 'ok';
  } catch (error) {
    // A refused publish surfaces as "channel closed"; the reason comes with the channel's error event.
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
    return closedBecause ?? (error instanceof Error ? error.message : String(error));
  } finally {
    await channel.close().catch(() => undefined);
  }
}

function assertRefused(outcome: string, what: string): void {
  assert.match(outcome, /403 \(ACCESS-REFUSED\)|ACCESS_REFUSED/, `${what}: expected ACCESS_REFUSED, got ${outcome}`);
}

/** What the poller does on a fresh broker, in order, with the arguments it uses. */
function pollerSteps(id: string): Array<[string, (channel: ConfirmChannel) => Promise<unknown>]> {
  const queue = jobQueueName(id);
  const dead = deadQueueName(queue);
  return [
    ['declare DLX', (ch) => ch.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true })],
    ['declare dead queue', (ch) => ch.assertQueue(dead, { durable: true })],
    ['bind dead queue', (ch) => ch.bindQueue(dead, DEAD_LETTER_EXCHANGE, queue)],
    ['declare job queue', (ch) => ch.assertQueue(queue, { durable: true, arguments: jobQueueArguments(queue, 5) })],
    ['consume job queue', (ch) => ch.consume(queue, () => undefined).then((reply) => ch.cancel(reply.consumerTag))],
    ['declare results exchange', (ch) => ch.assertExchange(RESULTS_EXCHANGE, 'topic', { durable: true })],
    ['publish a result', async (ch) => ch.publish(RESULTS_EXCHANGE, resultRoutingKey(id, 'tcp.check'), Buffer.from('{}'))],
    ['publish a reply', async (ch) => ch.publish('', `reply-${tag}`, Buffer.from('{}'))],
  ];
}

async function runPollerSteps(model: ChannelModel, id: string): Promise<Record<string, string>> {
  const outcomes: Record<string, string> = {};
  for (const [name, step] of pollerSteps(id)) outcomes[name] = await attempt(model, step);
  return outcomes;
}

let guest: ChannelModel;

/** Removes every object of the test vhost the poller steps make, so the next run starts fresh. */
async function resetVhost(): Promise<void> {
  const ch = await guest.createChannel();
  ch.on('error', () => undefined);
  for (const id of [idA, idB, idC]) {
    await ch.deleteQueue(jobQueueName(id));
    await ch.deleteQueue(deadQueueName(jobQueueName(id)));
  }
  await ch.deleteExchange(DEAD_LETTER_EXCHANGE);
  await ch.deleteExchange(RESULTS_EXCHANGE);
  await ch.close();
}

before(async () => {
  await ctl({ args: ['add_vhost', vhost] });
  // guest plays the core: it may do anything in the test vhost.
  await ctl({ args: ['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*'] });
  satA = planSatelliteBrokerUser({ satelliteId: idA, vhost });
  satB = planSatelliteBrokerUser({ satelliteId: idB, vhost });
  for (const sat of [satA, satB]) {
    users.push(sat);
    for (const command of sat.rabbitmqctl) await ctl(command);
  }
  guest = await open('guest', 'guest');
});

after(async () => {
  for (const model of connections) await model.close().catch(() => undefined);
  await execa('rabbitmqctl', ['delete_vhost', vhost], { timeout: 60_000, reject: false, stdin: 'ignore' });
  for (const sat of users) {
    for (const command of sat.rabbitmqctlRemove) await execa('rabbitmqctl', command.args, { timeout: 60_000, reject: false, stdin: 'ignore' });
  }
});

describe('satellite broker user on the real RabbitMQ', () => {
  test('rabbitmqctl stored exactly the rendered regexes (password went through stdin)', async () => {
    const listed = await ctl({ args: ['list_user_permissions', satA.user, '--formatter', 'json'] });
    const rows = JSON.parse(listed) as Array<{ vhost: string; configure: string; write: string; read: string }>;
    assert.deepEqual(rows, [{ vhost, ...satA.permissions }]);
    for (const command of satA.rabbitmqctl) assert.ok(!command.args.includes(satA.password), 'password must not be in argv');
  });

  test('rabbitmqctl stored the topic permissions: results exchange, own prefix only', async () => {
    const listed = await ctl({ args: ['list_user_topic_permissions', satA.user, '--formatter', 'json'] });
    assert.deepEqual(JSON.parse(listed), [{ vhost, exchange: RESULTS_EXCHANGE, write: `^result\\.${idA}\\.`, read: '^$' }]);
  });

  test('satellite A publishes result.<A>.* but is refused result.<B>.* and result.core.*', async () => {
    await resetVhost();
    const core = await guest.createChannel();
    await core.assertExchange(RESULTS_EXCHANGE, 'topic', { durable: true });
    const results = await core.assertQueue('', { exclusive: true });
    await core.bindQueue(results.queue, RESULTS_EXCHANGE, 'result.#');
    const a = await open(satA.user, satA.password);
    assert.equal(await attempt(a, async (ch) => ch.publish(RESULTS_EXCHANGE, `result.${idA}.snmp.get`, Buffer.from('{"from":"A"}'))), 'ok');
    for (const key of [`result.${idB}.snmp.get`, 'result.core.x', `result.${idA}x.snmp.get`, `x.result.${idA}.snmp.get`]) {
      assertRefused(await attempt(a, async (ch) => ch.publish(RESULTS_EXCHANGE, key, Buffer.from('{"from":"A"}'))), `publish ${key}`);
    }
    // Only A's own result arrived; the refused ones never reached a queue.
    const first = await waitForMessage(core, results.queue);
    assert.equal(first.fields.routingKey, `result.${idA}.snmp.get`);
    assert.equal(await core.get(results.queue, { noAck: true }), false);
    await core.close();
  });

  test('satellite A runs the whole poller topology and round trip with its own queue', async () => {
    await resetVhost();
    const a = await open(satA.user, satA.password);
    const outcomes = await runPollerSteps(a, idA);
    assert.deepEqual(Object.values(outcomes), Object.values(outcomes).map(() => 'ok'), JSON.stringify(outcomes, null, 1));

    // The core (guest) sends a job with reply_to; A consumes it, replies and publishes a result.
    const core = await guest.createChannel();
    const replies = await core.assertQueue('', { exclusive: true });
    const results = await core.assertQueue('', { exclusive: true });
    await core.bindQueue(results.queue, RESULTS_EXCHANGE, `result.${idA}.#`);
    core.sendToQueue(jobQueueName(idA), Buffer.from('{"v":1}'), { replyTo: replies.queue, correlationId: 'c-1' });

    const worker: ConfirmChannel = await a.createConfirmChannel();
    worker.on('error', () => undefined);
    const handled = new Promise<void>((resolve, reject) => {
      void worker.consume(jobQueueName(idA), (message) => {
        if (!message) return;
        const { replyTo, correlationId } = message.properties as { replyTo: string; correlationId: string };
        worker.publish('', replyTo, Buffer.from('{"status":"ok"}'), { correlationId });
        worker.publish(RESULTS_EXCHANGE, resultRoutingKey(idA, 'tcp.check'), Buffer.from('{"status":"ok"}'));
        worker.waitForConfirms().then(() => {
          worker.ack(message);
          resolve();
        }, reject);
      });
    });
    await withTimeout(handled, 10_000, 'job not handled');
    const reply = await waitForMessage(core, replies.queue);
    assert.equal(reply.properties.correlationId, 'c-1');
    const result = await waitForMessage(core, results.queue);
    assert.equal(result.fields.routingKey, `result.${idA}.tcp.check`);
    await worker.close();
    await core.close();
  });

  test('satellite A is refused on satellite B\'s queues and on anything else', async () => {
    await resetVhost();
    const b = await open(satB.user, satB.password);
    assert.equal((await runPollerSteps(b, idB))['declare job queue'], 'ok');
    const a = await open(satA.user, satA.password);
    const queueB = jobQueueName(idB);
    const refusals: Array<[string, (ch: ConfirmChannel) => Promise<unknown>]> = [
      ['declare B job queue', (ch) => ch.assertQueue(queueB, { durable: true, arguments: jobQueueArguments(queueB, 5) })],
      ['consume B job queue', (ch) => ch.consume(queueB, () => undefined)],
      ['get from B job queue', (ch) => ch.get(queueB)],
      ['get from B dead queue', (ch) => ch.get(deadQueueName(queueB))],
      ['purge B job queue', (ch) => ch.purgeQueue(queueB)],
      ['delete B job queue', (ch) => ch.deleteQueue(queueB)],
      ['bind B dead queue', (ch) => ch.bindQueue(deadQueueName(queueB), DEAD_LETTER_EXCHANGE, 'x')],
      ['declare another queue', (ch) => ch.assertQueue(`other-${tag}`)],
      ['declare a server-named queue', (ch) => ch.assertQueue('', { exclusive: true })],
      ['declare another exchange', (ch) => ch.assertExchange(`usm_poller.other-${tag}`, 'topic')],
      ['publish to amq.topic', async (ch) => ch.publish('amq.topic', 'x', Buffer.from('x'))],
      ['bind own queue to amq.fanout', (ch) => ch.bindQueue(jobQueueName(idA), 'amq.fanout', '')],
      ['consume own dead queue', (ch) => ch.get(deadQueueName(jobQueueName(idA)))],
    ];
    await attempt(a, (ch) => ch.assertQueue(jobQueueName(idA), { durable: true, arguments: jobQueueArguments(jobQueueName(idA), 5) }));
    for (const [what, step] of refusals) assertRefused(await attempt(a, step), what);
  });

  test('every grant is needed: dropping any one name breaks a poller step with ACCESS_REFUSED', async () => {
    const a = await open(satA.user, satA.password);
    const kinds = ['configure', 'write', 'read'] as const;
    try {
      for (const kind of kinds) {
        const names = namesOf(satA.permissions[kind]);
        for (const dropped of names) {
          const narrowed = { ...satA.permissions, [kind]: `^(${names.filter((name) => name !== dropped).join('|')})$` };
          await ctl({ args: ['set_permissions', '-p', vhost, satA.user, narrowed.configure, narrowed.write, narrowed.read] });
          await resetVhost();
          const outcomes = await runPollerSteps(a, idA);
          const refused = Object.entries(outcomes).filter(([, outcome]) => /ACCESS.REFUSED/.test(outcome));
          assert.ok(refused.length > 0, `without ${kind} ${dropped} everything still worked`);
        }
      }
    } finally {
      for (const command of satA.rabbitmqctl.slice(1)) await ctl(command);
    }
  });

  test('pre-declared shared exchanges: no configure on them, so a satellite cannot delete them', async () => {
    await resetVhost();
    const satC = planSatelliteBrokerUser({ satelliteId: idC, vhost, sharedExchanges: 'pre-declared' });
    users.push(satC);
    for (const command of satC.rabbitmqctl) await ctl(command);
    const core = await guest.createChannel();
    await core.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
    await core.assertExchange(RESULTS_EXCHANGE, 'topic', { durable: true });
    await core.close();
    const a = await open(satA.user, satA.password);
    assert.equal(await attempt(a, (ch) => ch.deleteExchange(RESULTS_EXCHANGE)), 'ok', 'declare mode: configure lets A delete the shared exchange');
    const core2 = await guest.createChannel();
    await core2.assertExchange(RESULTS_EXCHANGE, 'topic', { durable: true });
    await core2.close();
    const c = await open(satC.user, satC.password);
    assertRefused(await attempt(c, (ch) => ch.deleteExchange(RESULTS_EXCHANGE)), 'delete results exchange');
    assertRefused(await attempt(c, (ch) => ch.deleteExchange(DEAD_LETTER_EXCHANGE)), 'delete DLX');
    assertRefused(await attempt(c, (ch) => ch.assertExchange(RESULTS_EXCHANGE, 'topic', { durable: true })), 'declare results exchange');
    const queue = jobQueueName(idC);
    const dead = deadQueueName(queue);
    const steps: Array<[string, (ch: ConfirmChannel) => Promise<unknown>]> = [
      ['check DLX', (ch) => ch.checkExchange(DEAD_LETTER_EXCHANGE)],
      ['declare dead queue', (ch) => ch.assertQueue(dead, { durable: true })],
      ['bind dead queue', (ch) => ch.bindQueue(dead, DEAD_LETTER_EXCHANGE, queue)],
      ['declare job queue', (ch) => ch.assertQueue(queue, { durable: true, arguments: jobQueueArguments(queue, 5) })],
      ['consume', (ch) => ch.consume(queue, () => undefined)],
      ['check results exchange', (ch) => ch.checkExchange(RESULTS_EXCHANGE)],
      ['publish a result', async (ch) => ch.publish(RESULTS_EXCHANGE, resultRoutingKey(idC, 'icmp.ping'), Buffer.from('{}'))],
    ];
    for (const [what, step] of steps) assert.equal(await attempt(c, step), 'ok', what);
  });

  test('password rotation: the old password stops working, the new one works', async () => {
    const rotated = planSatelliteBrokerUser({ satelliteId: idB, vhost });
    for (const command of rotated.rabbitmqctlRotate) await ctl(command);
    await assert.rejects(open(satB.user, satB.password), /ACCESS_REFUSED|403/);
    const model = await open(rotated.user, rotated.password);
    assert.equal(await attempt(model, (ch) => ch.checkExchange('amq.direct')), 'ok');
  });

  test('known limit of AMQP 0-9-1: write on amq.default (for reply_to) reaches any queue by name', async () => {
    // RabbitMQ has no per-routing-key check on the default exchange; the reply
    // route needs it. The core should treat everything a satellite sends as untrusted.
    const queueB = jobQueueName(idB);
    const core = await guest.createChannel();
    await core.assertQueue(queueB, { durable: true, arguments: jobQueueArguments(queueB, 5) });
    await core.purgeQueue(queueB);
    const a = await open(satA.user, satA.password);
    assert.equal(await attempt(a, async (ch) => ch.publish('', queueB, Buffer.from('{"from":"A"}'))), 'ok');
    assert.equal(String((await waitForMessage(core, queueB)).content), '{"from":"A"}');
    // Passive declares are not access-checked either: a satellite learns whether a queue exists.
    assert.equal(await attempt(a, (ch) => ch.checkQueue(queueB)), 'ok');
    await core.close();
  });
});

function namesOf(regex: string): string[] {
  const inner = /^\^\((.*)\)\$$/.exec(regex)?.[1];
  assert.ok(inner, `not an exact-names regex: ${regex}`);
  return inner.split('|');
}

async function waitForMessage(channel: Channel, queue: string) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const message = await channel.get(queue, { noAck: true });
    if (message) return message;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no message on ${queue} within 10 s`);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
