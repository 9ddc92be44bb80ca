/**
 * Broker users of add/remove-satellite on the real RabbitMQ at 127.0.0.1:5672: a unique vhost and
 * unique satellite ids per run, removed in after() whatever happened.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { connect, type ChannelModel } from 'amqplib';
import { parseAnswersYaml } from '../../provision/lib/answers/parse-answers.js';
import { satellitePermissions } from '../../provision/lib/broker-users/satellite-permissions.js';
import { enrollment, makeRoot, removeRoot, runCore, snapshotTree } from './core-harness.js';

const tag = randomBytes(4).toString('hex');
const vhost = `usm-test-core-${tag}`;
const missingVhost = `usm-test-core-missing-${tag}`;
const ids = { a: `a${tag}`, b: `b${tag}`, c: `c${tag}`, d: `d${tag}`, e: `e${tag}` };
const roots: string[] = [];
let node = '';

async function ctl(args: string[]): Promise<string> {
  return String((await execa('rabbitmqctl', args, { timeout: 60_000, stdin: 'ignore' })).stdout);
}

async function userExists(user: string): Promise<boolean> {
  return (await ctl(['list_users', '--quiet', '--no-table-headers'])).split('\n').some((line) => line.split('\t')[0] === user);
}

async function newCore(vhostName: string): Promise<string> {
  const root = await makeRoot('core-broker');
  roots.push(root);
  const result = await runCore(['core', 'init', '--endpoint', 'core.example.net', '--vhost', vhostName, '--root', root]);
  assert.equal(result.code, 0, result.stderr);
  return root;
}

before(async () => {
  await ctl(['add_vhost', vhost]);
  node = (await ctl(['eval', 'node().'])).trim().split('\n').at(-1) ?? '';
});

after(async () => {
  for (const id of Object.values(ids)) await execa('rabbitmqctl', ['delete_user', `usm-sat-${id}`], { reject: false, timeout: 60_000 });
  await execa('rabbitmqctl', ['delete_vhost', vhost], { reject: false, timeout: 60_000 });
  for (const root of roots) await removeRoot(root);
});

test('add-satellite creates usm-sat-<id> with the least-privilege permissions and the password of the enrollment file; remove deletes it', { timeout: 120_000 }, async () => {
  const root = await newCore(vhost);
  const added = await runCore(['core', 'add-satellite', '--id', ids.a, '--rabbitmqctl', '/usr/sbin/rabbitmqctl', '--node', node, '--root', root]);
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stderr, /broker: add_user/);
  const permissions = await ctl(['list_user_permissions', '--quiet', '--no-table-headers', `usm-sat-${ids.a}`]);
  const expected = satellitePermissions(ids.a);
  assert.equal(permissions.trim(), [vhost, expected.configure, expected.write, expected.read].join('\t'));
  // The password in the enrollment file logs in (over loopback; the file says the tunnel address).
  const answers = parseAnswersYaml(await readFile(join(root, enrollment(ids.a)), 'utf8'));
  assert.equal(answers.broker.vhost, vhost);
  const connection = await connect(`amqp://${answers.broker.username}:${encodeURIComponent(answers.broker.password)}@127.0.0.1:5672/${encodeURIComponent(vhost)}`, { timeout: 10_000 });
  connection.on('error', () => undefined);
  try {
    // The user add-satellite made publishes its own results only (the poller declares the exchange itself).
    const setup = await connection.createChannel();
    await setup.assertExchange('usm_poller.results', 'topic', { durable: true });
    await setup.close();
    assert.equal(await tryPublish(connection, 'usm_poller.results', `result.${ids.a}.snmp.get`), 'ok');
    for (const key of [`result.${ids.b}.snmp.get`, 'result.core.x']) assert.match(await tryPublish(connection, 'usm_poller.results', key), /ACCESS.REFUSED/, key);
  } finally {
    await connection.close().catch(() => undefined);
  }
  assert.match(added.stderr, /broker: set_topic_permissions/);
  const topic = await ctl(['list_user_topic_permissions', '--quiet', '--no-table-headers', `usm-sat-${ids.a}`]);
  assert.equal(topic.trim(), [vhost, 'usm_poller.results', `^result\\.${ids.a}\\.`, '^$'].join('\t'));
  assert.ok(!added.stdout.includes(answers.broker.password) && !added.stderr.includes(answers.broker.password));

  const removed = await runCore(['core', 'remove-satellite', '--id', ids.a, '--root', root]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, new RegExp(`broker user usm-sat-${ids.a}: deleted`));
  assert.equal(await userExists(`usm-sat-${ids.a}`), false);
});

test('a failing set_permissions (missing vhost) rolls back: user deleted, files as before', { timeout: 120_000 }, async () => {
  const root = await newCore(missingVhost);
  const before = await snapshotTree(root);
  const result = await runCore(['core', 'add-satellite', '--id', ids.b, '--root', root]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /rabbitmqctl set_permissions -p failed: .*; nothing was changed/);
  assert.match(result.stderr, /rolling back/);
  assert.equal(await userExists(`usm-sat-${ids.b}`), false);
  assert.deepEqual(await snapshotTree(root), before);
});

test('an existing broker user makes add-satellite fail without touching that user or any file', { timeout: 120_000 }, async () => {
  const root = await newCore(vhost);
  await execa('rabbitmqctl', ['add_user', `usm-sat-${ids.c}`], { input: 'pre-existing-password', timeout: 60_000 });
  const before = await snapshotTree(root);
  const result = await runCore(['core', 'add-satellite', '--id', ids.c, '--root', root]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /add_user usm-sat-.* failed: .*already exists/);
  assert.equal(await userExists(`usm-sat-${ids.c}`), true);
  assert.deepEqual(await snapshotTree(root), before);
});

test('--keep-broker-user leaves the user; --no-broker never creates one', { timeout: 120_000 }, async () => {
  const root = await newCore(vhost);
  assert.equal((await runCore(['core', 'add-satellite', '--id', ids.d, '--root', root])).code, 0);
  const kept = await runCore(['core', 'remove-satellite', '--id', ids.d, '--keep-broker-user', '--root', root]);
  assert.equal(kept.code, 0, kept.stderr);
  assert.equal(await userExists(`usm-sat-${ids.d}`), true);
  await ctl(['delete_user', `usm-sat-${ids.d}`]);
  assert.equal((await runCore(['core', 'add-satellite', '--id', ids.d, '--no-broker', '--root', root])).code, 0);
  assert.equal(await userExists(`usm-sat-${ids.d}`), false);
  // A user that is already gone is not an error on removal.
  const removed = await runCore(['core', 'remove-satellite', '--id', ids.d, '--root', root]);
  assert.equal(removed.code, 0, removed.stderr);
});

test('a file that cannot be written after the broker user was created deletes the user again', { timeout: 120_000 }, async () => {
  const root = await newCore(vhost);
  const before = await snapshotTree(root);
  // Nothing can be created in /proc, not even by root: the write fails after rabbitmqctl succeeded.
  const result = await runCore(['core', 'add-satellite', '--id', ids.e, '--out', `/proc/usm-core-test-${tag}.yaml`, '--root', root]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /broker: set_permissions/);
  assert.match(result.stderr, /could not write .*usm-core-test-.*nothing was changed/);
  assert.equal(await userExists(`usm-sat-${ids.e}`), false);
  assert.deepEqual(await snapshotTree(root), before);
});

test('an enrollment path that cannot even be read is one clear error before anything runs', async () => {
  const root = await newCore(vhost);
  const blocker = join(root, 'not-a-directory');
  await writeFile(blocker, 'x');
  const before = await snapshotTree(root);
  const result = await runCore(['core', 'add-satellite', '--id', ids.e, '--out', join(blocker, 'sat.yaml'), '--root', root]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /cannot read what is there: ENOTDIR.*nothing was changed/);
  assert.doesNotMatch(result.stderr, /broker:/);
  assert.deepEqual(await snapshotTree(root), before);
});

/** One confirmed publish on a fresh channel: 'ok', or why the broker closed the channel. */
async function tryPublish(connection: ChannelModel, exchange: string, key: string): Promise<string> {
  const channel = await connection.createConfirmChannel();
  let reason: string | undefined;
  const closed = new Promise<void>((resolve) => channel.once('close', () => resolve()));
  channel.on('error', (error: Error) => {
    reason = error.message;
  });
  try {
    channel.publish(exchange, key, Buffer.from('{}'));
    await channel.waitForConfirms();
    return 'ok';
  } catch (error) {
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
    return reason ?? String(error);
  } finally {
    await channel.close().catch(() => undefined);
  }
}
