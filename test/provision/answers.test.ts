import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isUsmError } from '../../common/usm-error.js';
import { parseAnswersYaml } from '../../provision/lib/answers/parse-answers.js';
import { renderAnswersYaml } from '../../provision/lib/answers/render-answers.js';
import { buildBrokerDsn } from '../../provision/lib/answers/broker-dsn.js';
import { answersSchema, type Answers, type AnswersInput } from '../../provision/lib/answers/answers-schema.js';
import { renderSatelliteConfigFromAnswers } from '../../provision/lib/answers/satellite-wireguard.js';
import { generateKeyPair, generatePresharedKey } from '../../provision/lib/wireguard/wg-keys.js';
import { parseWgQuickConfig } from '../../provision/lib/wireguard/parse-wg-quick-config.js';
import { goldenChecker, seededRandom } from '../support/golden.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');

const assertGolden = goldenChecker('provision/answers');


/** Minimal valid wireguard answers as a plain object (what add-satellite fills in); defaults are left out. */
function minimalWireguard(family: 4 | 6 = 4): AnswersInput {
  const randomBytes = seededRandom(`answers-v${family}`);
  const sat = generateKeyPair({ randomBytes });
  const core = generateKeyPair({ randomBytes });
  return {
    version: 1,
    satellite: { id: '7' },
    transport: 'wireguard',
    wireguard: {
      address: family === 4 ? '10.77.0.2/32' : 'fd77:77::2/128',
      privateKey: sat.privateKey,
      core: {
        publicKey: core.publicKey,
        presharedKey: generatePresharedKey({ randomBytes }),
        endpoint: family === 4 ? 'core.example.net' : '[2001:db8::10]:51820',
        address: family === 4 ? '10.77.0.1' : 'fd77:77::1',
      },
    },
    broker: { username: 'usm-sat-7', password: 'p@ss:w/rd%#?& é' },
  };
}

function parseObject(input: unknown): Answers {
  return parseAnswersYaml(JSON.stringify(input), 'test');
}

async function readExample(name: string): Promise<string> {
  return readFile(join(ROOT, 'examples', name), 'utf8');
}

test('answers render to the golden YAML with every default spelled out (IPv4 and IPv6)', async () => {
  await assertGolden('wireguard.yaml', renderAnswersYaml(parseObject(minimalWireguard(4))));
  await assertGolden('wireguard-ipv6.yaml', renderAnswersYaml(parseObject(minimalWireguard(6))));
});

test('amqps answers render to the golden YAML', async () => {
  const example = parseAnswersYaml(await readExample('satellite-amqps.yaml'));
  await assertGolden('amqps.yaml', renderAnswersYaml(example));
});

test('parse -> render -> parse -> render is stable, and key order does not depend on input order', () => {
  const answers = parseObject(minimalWireguard());
  const text = renderAnswersYaml(answers);
  const again = parseAnswersYaml(text, 'rendered');
  assert.deepEqual(again, answers);
  assert.equal(renderAnswersYaml(again), text);
  const shuffled = Object.fromEntries(Object.entries(answers).reverse()) as Answers;
  assert.equal(renderAnswersYaml(shuffled), text);
  assert.ok(text.startsWith('# usm-appliance satellite answers (enrollment) file.\n'));
  assert.match(text, /^  id: "7"$/m, 'ids that look numeric are quoted');
  assert.match(text, /^  imageTag: "3\.18"$/m);
});

test('defaults: interface usm0, MTU 1420, keepalive 25, port 51820, broker host = core tunnel address', () => {
  const answers = parseObject(minimalWireguard());
  assert.equal(answers.transport, 'wireguard');
  if (answers.transport !== 'wireguard') return;
  assert.equal(answers.wireguard.interface, 'usm0');
  assert.equal(answers.wireguard.mtu, 1420);
  assert.equal(answers.wireguard.persistentKeepalive, 25);
  assert.equal(answers.wireguard.core.endpoint, 'core.example.net:51820');
  assert.deepEqual(answers.broker, { host: '10.77.0.1', port: 5672, vhost: '/', username: 'usm-sat-7', password: 'p@ss:w/rd%#?& é' });
  assert.deepEqual(answers.poller, { concurrency: 64, replicas: 1, imageTag: '3.18', logLevel: 'info', metrics: { enabled: false, host: '127.0.0.1', port: 9464 } });
  assert.deepEqual(answers.service, { manager: 'systemd' });
  assert.equal(answers.paths.composeDir, '/opt/usm_poller');
  const normalised = parseObject({ ...minimalWireguard(), wireguard: { ...minimalWireguard().wireguard, address: '10.77.0.2' } });
  assert.equal(normalised.transport === 'wireguard' && normalised.wireguard.address, '10.77.0.2/32');
});

test('buildBrokerDsn: amqp inside the tunnel, amqps over TLS, everything percent-encoded', async () => {
  const v4 = parseObject(minimalWireguard());
  const dsn = buildBrokerDsn(v4);
  assert.equal(dsn, `amqp://usm-sat-7:${encodeURIComponent('p@ss:w/rd%#?& é')}@10.77.0.1:5672/%2f`);
  const url = new URL(dsn);
  assert.equal(decodeURIComponent(url.password), 'p@ss:w/rd%#?& é');
  assert.equal(url.hostname, '10.77.0.1');
  assert.equal(buildBrokerDsn(parseObject({ ...minimalWireguard(), broker: { username: 'u', password: 'secret-password' } })), 'amqp://u:secret-password@10.77.0.1:5672/%2f');
  assert.equal(buildBrokerDsn(parseObject(minimalWireguard(6))).split('@')[1], '[fd77:77::1]:5672/%2f');
  const custom = parseObject({ ...minimalWireguard(), broker: { port: 5673, vhost: 'usm/prod', username: 'usm-sat-7', password: 'secret-password' } });
  assert.equal(buildBrokerDsn(custom), 'amqp://usm-sat-7:secret-password@10.77.0.1:5673/usm%2fprod');
  const amqps = parseAnswersYaml(await readExample('satellite-amqps.yaml'));
  assert.equal(buildBrokerDsn(amqps), 'amqps://usm-sat-8:EXAMPLE-not-a-real-password-8@rabbit.core.example.net:5671/%2f');
});

test('the examples parse, and both are marked as examples', async () => {
  for (const name of ['satellite-wireguard.yaml', 'satellite-amqps.yaml']) {
    const text = await readExample(name);
    assert.match(text, /^# EXAMPLE /);
    const answers = parseAnswersYaml(text, name);
    assert.equal(answers.version, 1);
    assert.equal(renderAnswersYaml(answers, []).length > 0, true);
  }
  const wg = parseAnswersYaml(await readExample('satellite-wireguard.yaml'));
  assert.equal(wg.transport, 'wireguard');
  const amqps = parseAnswersYaml(await readExample('satellite-amqps.yaml'));
  assert.equal(amqps.transport, 'amqps');
  assert.equal(amqps.broker.port, 5671);
});

test('the satellite wg-quick config comes straight from the answers', () => {
  const answers = parseObject(minimalWireguard());
  assert.ok(answers.transport === 'wireguard');
  const config = parseWgQuickConfig(renderSatelliteConfigFromAnswers(answers));
  assert.deepEqual(config.interface.addresses, ['10.77.0.2/32']);
  assert.equal(config.interface.privateKey, answers.wireguard.privateKey);
  assert.deepEqual(config.peers[0]?.allowedIps, ['10.77.0.1/32']);
  assert.equal(config.peers[0]?.endpoint, 'core.example.net:51820');
  assert.equal(config.peers[0]?.presharedKey, answers.wireguard.core.presharedKey);
});

test('renderAnswersYaml refuses invalid answers instead of writing them', () => {
  const answers = parseObject(minimalWireguard());
  const broken = { ...answers, broker: { ...answers.broker, password: 'short' } } as Answers;
  assert.throws(() => renderAnswersYaml(broken), (error) => isUsmError(error) && error.code === 'E_ANSWERS' && error.problems.some((line) => line.startsWith('broker.password:')));
  assert.equal(answersSchema.safeParse(answers).success, true);
});
