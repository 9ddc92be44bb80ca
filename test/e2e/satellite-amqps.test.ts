import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type ChannelModel } from 'amqplib';
import type { ResultPromise } from 'execa';
import { answersSchema, renderAnswersYaml } from '../../provision/index.js';
import { createAmqpsCa, type AmqpsCa } from '../../provision/lib/amqps/create-ca.js';
import { issueClientCertificate, issueServerCertificate, type IssuedCertificate } from '../../provision/lib/amqps/issue-certificate.js';
import { planSatelliteBrokerUser } from '../../provision/lib/broker-users/satellite-broker-user.js';
import { createNetLab, type NetLab, type SatelliteNamespace } from '../support/netns.js';
import { openCollector, type ResultCollector } from '../support/result-collector.js';
import { startE2eRabbit, type E2eRabbit } from './support/e2e-rabbit.js';

// AMQPS transport: no tunnel; the satellite in its namespace dials the broker's
// TLS listener on the host's veth address with the pinned CA and its client certificate.

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = [process.execPath, '--import', 'tsx', join(REPO, 'appliance', 'bin.ts')];
const SAT_ID = 'tls8';
const SERVER_NAME = 'rabbit.core.test';
const ENV = { USM_POLLER_RECONNECT_MAX_MS: '2000', USM_POLLER_LOG_LEVEL: 'warn' };

let lab: NetLab;
let sat: SatelliteNamespace;
let rabbit: E2eRabbit;
let ca: AmqpsCa;
let client: IssuedCertificate;
let password: string;
let model: ChannelModel;
let collector: ResultCollector;

before(async () => {
  lab = await createNetLab();
  sat = await lab.addSatellite('tls');
  ca = await createAmqpsCa({ commonName: 'e2e CA' });
  const server = await issueServerCertificate(ca, { names: [SERVER_NAME] });
  client = await issueClientCertificate(ca, { satelliteId: SAT_ID });
  rabbit = await startE2eRabbit({ tls: { listen: `${sat.hostAddress}:5671`, caPem: ca.certPem, certPem: server.certPem, keyPem: server.keyPem } });
  const user = planSatelliteBrokerUser({ satelliteId: SAT_ID });
  for (const command of user.rabbitmqctl) await rabbit.ctl(command.args, command.stdin);
  password = user.password;
  model = await connect(`amqp://guest:guest@127.0.0.1:${rabbit.loopbackPort}/`);
  model.on('error', () => {});
  collector = await openCollector(model);
}, { timeout: 180_000 });

after(async () => {
  await collector?.close();
  await model?.close().catch(() => {});
  await lab?.destroy();
  await rabbit?.stop();
}, { timeout: 120_000 });

async function answersFile(name: string, overrides: { caPem?: string; certPem?: string; keyPem?: string; caSha256?: string; serverName?: string } = {}): Promise<string> {
  const answers = answersSchema.parse({
    version: 1,
    satellite: { id: SAT_ID },
    transport: 'amqps',
    amqps: {
      serverName: overrides.serverName ?? SERVER_NAME,
      caPem: overrides.caPem ?? ca.certPem, caSha256: overrides.caSha256 ?? ca.fingerprintSha256,
      certPem: overrides.certPem ?? client.certPem, keyPem: overrides.keyPem ?? client.keyPem,
    },
    broker: { host: sat.hostAddress, username: `usm-sat-${SAT_ID}`, password },
    service: { manager: 'foreground' },
  });
  const path = join(lab.dir, name);
  await writeFile(path, renderAnswersYaml(answers), { mode: 0o600 });
  return path;
}

test('amqps: setup in a namespace, a job goes through TLS with the client certificate, nothing listens', { timeout: 180_000 }, async () => {
  const root = join(lab.dir, 'root-ok');
  const file = await answersFile('ok.yaml');
  const started = Date.now();
  const child: ResultPromise = sat.spawn([...CLI, 'setup', '--answers', file, '--root', root, '--service', 'foreground'], { cwd: REPO, env: ENV, buffer: false });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => { out += c; });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => { out += c; });
  try {
    const deadline = Date.now() + 90_000;
    while (!out.includes('is ready') && Date.now() < deadline && child.exitCode === null) await sleep(100);
    assert.match(out, /is ready/, out.slice(-3000));
    await collector.publish(`usm_poller-sat-${SAT_ID}`, [{ v: 1, id: 'tls-1', type: 'tcp.check', target: { host: '127.0.0.1', port: 9 }, timeoutMs: 2000, params: {} }]);
    assert.deepEqual((await collector.waitFor(['tls-1'], 30_000)).missing, []);
    console.log(`figures: amqps setup to first result ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const name of ['ca.pem', 'client.pem', 'client.key']) assert.equal((await stat(join(root, 'etc/usm-appliance/tls', name))).mode & 0o777, 0o600, name);
    assert.equal((await sat.exec(['ss', '-Hlnt'])).stdout.trim(), '');
    assert.equal((await sat.exec(['ss', '-Hlnu'])).stdout.trim(), '');
    assert.ok(!out.includes('BEGIN PRIVATE KEY') && !out.includes(password));
  } finally {
    child.kill('SIGTERM');
    await Promise.race([child, sleep(30_000)]);
  }
  assert.equal(child.exitCode, 0, out.slice(-2000));
});

test('amqps: a CA that did not sign the broker is refused with a clear error, and nothing stays installed', { timeout: 120_000 }, async () => {
  const other = await createAmqpsCa({ commonName: 'other CA' });
  const otherClient = await issueClientCertificate(other, { satelliteId: SAT_ID });
  const file = await answersFile('wrong-ca.yaml', { caPem: other.certPem, caSha256: other.fingerprintSha256, certPem: otherClient.certPem, keyPem: otherClient.keyPem });
  const root = join(lab.dir, 'root-wrong-ca');
  const result = await sat.exec([...CLI, 'setup', '--answers', file, '--root', root, '--service', 'foreground'], { cwd: REPO, env: ENV, timeout: 90_000 });
  assert.equal(result.exitCode, 1, result.stdout);
  assert.match(result.stderr, /step "broker" failed: the broker's certificate is not signed by the pinned CA/);
  await assert.rejects(access(join(root, 'etc/usm-appliance/satellite.yaml')));
  await assert.rejects(access(join(root, 'etc/usm-appliance/tls/client.key')));
});

test('amqps: a server name the broker certificate does not carry is refused', { timeout: 120_000 }, async () => {
  const file = await answersFile('wrong-name.yaml', { serverName: 'other.core.test' });
  const root = join(lab.dir, 'root-wrong-name');
  const result = await sat.exec([...CLI, 'setup', '--answers', file, '--root', root, '--service', 'foreground'], { cwd: REPO, env: ENV, timeout: 90_000 });
  assert.equal(result.exitCode, 1, result.stdout);
  assert.match(result.stderr, /step "broker" failed: the broker's certificate is not for other\.core\.test/);
  await assert.rejects(access(join(root, 'etc/usm-appliance/poller.env')));
});
