import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseAnswersYaml } from '../../provision/lib/answers/parse-answers.js';
import { parseWgQuickConfig } from '../../provision/lib/wireguard/parse-wg-quick-config.js';
import { derivePublicKey } from '../../provision/lib/wireguard/wg-keys.js';
import { parseCoreStateYaml } from '../../appliance/lib/core/core-state-file.js';
import { HUB, STATE, enrollment, makeRoot, modeOf, removeRoot, runCore, snapshotTree } from './core-harness.js';

async function readState(root: string) {
  return parseCoreStateYaml(await readFile(join(root, STATE), 'utf8'));
}

async function readHub(root: string) {
  return parseWgQuickConfig(await readFile(join(root, HUB), 'utf8'));
}

async function initCore(root: string, ...extra: string[]): Promise<void> {
  const result = await runCore(['core', 'init', '--endpoint', 'core.example.net', '--root', root, ...extra]);
  assert.equal(result.code, 0, result.stderr);
}

async function add(root: string, id: string, ...extra: string[]) {
  const result = await runCore(['core', 'add-satellite', '--id', id, '--no-broker', '--root', root, ...extra]);
  assert.equal(result.code, 0, result.stderr);
  return result;
}

test('add, list and remove three satellites; addresses are never reused; enrollment files match the hub peers', async (t) => {
  const root = await makeRoot();
  t.after(() => removeRoot(root));
  await initCore(root);
  for (const id of ['7', '12', 'edge_3']) await add(root, id, '--name', `Satellite ${id}`);
  assert.equal(await modeOf(join(root, 'etc/usm-appliance/satellites')), 0o700);

  const state = await readState(root);
  const hub = await readHub(root);
  assert.deepEqual(state.satellites.map((s) => [s.id, s.wireguard?.address]), [['7', '10.77.0.2'], ['12', '10.77.0.3'], ['edge_3', '10.77.0.4']]);
  assert.deepEqual(hub.peers.map((p) => p.satelliteId), ['7', '12', 'edge_3']);
  for (const sat of state.satellites) {
    const path = join(root, enrollment(sat.id));
    assert.equal(await modeOf(path), 0o600);
    const answers = parseAnswersYaml(await readFile(path, 'utf8'), path);
    assert.equal(answers.transport, 'wireguard');
    if (answers.transport !== 'wireguard') continue;
    const peer = hub.peers.find((p) => p.satelliteId === sat.id);
    assert.ok(peer);
    assert.equal(derivePublicKey(answers.wireguard.privateKey), peer.publicKey, 'the satellite private key belongs to its hub peer');
    assert.equal(answers.wireguard.core.presharedKey, peer.presharedKey);
    assert.deepEqual(peer.allowedIps, [answers.wireguard.address]);
    assert.equal(answers.wireguard.core.publicKey, derivePublicKey(hub.interface.privateKey));
    assert.equal(answers.wireguard.core.endpoint, 'core.example.net:51820');
    assert.equal(answers.wireguard.core.address, '10.77.0.1');
    assert.equal(answers.broker.host, '10.77.0.1');
    assert.equal(answers.broker.username, `usm-sat-${sat.id}`);
    assert.equal(answers.broker.password, sat.broker.password);
    assert.equal(answers.satellite.name, `Satellite ${sat.id}`);
    assert.equal(answers.satellite.issuedAt, sat.createdAt);
  }
  // wg-quick itself accepts the hub file.
  const stripped = await execa('wg-quick', ['strip', join(root, HUB)], { timeout: 10_000 });
  assert.equal((stripped.stdout.match(/^\[Peer\]$/gm) ?? []).length, 3);

  const list = await runCore(['core', 'list', '--root', root]);
  assert.equal(list.code, 0, list.stderr);
  const lines = list.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^ID +ADDRESS +TRANSPORT +CREATED +LAST ROTATED +LAST HANDSHAKE$/);
  assert.match(lines[1]!, /^7 +10\.77\.0\.2 +wireguard +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +- +-$/);
  assert.equal(lines.length, 4);

  const removed = await runCore(['core', 'remove-satellite', '--id', '12', '--root', root]);
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, /satellite 12 removed; address 10\.77\.0\.3 retired/);
  await assert.rejects(stat(join(root, enrollment('12'))), /ENOENT/);
  assert.deepEqual((await readHub(root)).peers.map((p) => p.satelliteId), ['7', 'edge_3']);
  assert.deepEqual((await readState(root)).wireguard?.retiredAddresses, ['10.77.0.3']);

  // The retired address stays out of use; --reuse-address takes it back.
  await add(root, '13');
  assert.equal((await readState(root)).satellites.find((s) => s.id === '13')?.wireguard?.address, '10.77.0.5');
  await add(root, '14', '--reuse-address');
  const after = await readState(root);
  assert.equal(after.satellites.find((s) => s.id === '14')?.wireguard?.address, '10.77.0.3');
  assert.deepEqual(after.wireguard?.retiredAddresses, []);

  const json = JSON.parse((await runCore(['core', 'list', '--json', '--root', root])).stdout) as { interfaceUp: boolean; satellites: Array<{ id: string; address: string }> };
  assert.equal(json.interfaceUp, false);
  assert.deepEqual(json.satellites.map((s) => `${s.id}=${s.address}`), ['7=10.77.0.2', '13=10.77.0.5', '14=10.77.0.3', 'edge_3=10.77.0.4']);
});

test('adding an existing id fails naming it and changes nothing; removing an unknown id names the enrolled ones', async (t) => {
  const root = await makeRoot();
  t.after(() => removeRoot(root));
  await initCore(root);
  await add(root, '5');
  const before = await snapshotTree(root);
  const again = await runCore(['core', 'add-satellite', '--id', '5', '--no-broker', '--root', root]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /--id: satellite "5" already exists/);
  const unknown = await runCore(['core', 'remove-satellite', '--id', '6', '--root', root]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--id: no satellite "6" \(enrolled: 5\)/);
  assert.deepEqual(await snapshotTree(root), before);
});

test('--out writes the enrollment file elsewhere (0600) and remove deletes it there', async (t) => {
  const root = await makeRoot();
  const elsewhere = await makeRoot('out');
  t.after(() => Promise.all([removeRoot(root), removeRoot(elsewhere)]));
  await initCore(root);
  const out = join(elsewhere, 'deep/sat-9.yaml');
  await add(root, '9', '--out', out);
  assert.equal(await modeOf(out), 0o600);
  parseAnswersYaml(await readFile(out, 'utf8'));
  await assert.rejects(stat(join(root, enrollment('9'))), /ENOENT/);
  assert.equal((await readState(root)).satellites[0]?.enrollmentFile, out);
  assert.equal((await runCore(['core', 'remove-satellite', '--id', '9', '--root', root])).code, 0);
  await assert.rejects(stat(out), /ENOENT/);
});

test('add-satellite --dry-run writes nothing and shows no secret', async (t) => {
  const root = await makeRoot();
  t.after(() => removeRoot(root));
  await initCore(root);
  await add(root, '1');
  const state = await readState(root);
  const before = await snapshotTree(root);
  const dry = await runCore(['core', 'add-satellite', '--id', '2', '--dry-run', '--root', root]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(await snapshotTree(root), before);
  assert.match(dry.stdout, /broker +rabbitmqctl add_user usm-sat-2 +\(password on stdin\)/);
  assert.match(dry.stdout, /sync +wg syncconf usm0 \(skipped: the interface is not up\)/);
  assert.match(dry.stdout, /\+  privateKey: <redacted>/);
  assert.match(dry.stdout, /\+  password: <redacted>/);
  for (const secret of [state.wireguard!.privateKey, state.satellites[0]!.wireguard!.presharedKey, state.satellites[0]!.broker.password]) {
    assert.ok(!dry.stdout.includes(secret), 'a secret leaked into the dry-run output');
  }
  assert.doesNotMatch(dry.stdout, /(PrivateKey|PresharedKey|privateKey|presharedKey|password): (?!<redacted>)/);
});

test('rotate-satellite without an interface: both peers, finish refused, --force finishes; --cancel drops a rotation', async (t) => {
  const root = await makeRoot();
  t.after(() => removeRoot(root));
  await initCore(root);
  await add(root, '4');
  await add(root, '5');
  const old = (await readState(root)).satellites[0]!.wireguard!;
  const start = await runCore(['core', 'rotate-satellite', '--id', '4', '--root', root]);
  assert.equal(start.code, 0, start.stderr);
  assert.match(start.stdout, /new peer at 10\.77\.0\.4 next to 10\.77\.0\.2/);
  const mid = await readState(root);
  const rotation = mid.satellites[0]!.rotation!;
  assert.ok(rotation.startedAt);
  const hub = await readHub(root);
  assert.deepEqual(hub.peers.map((p) => `${p.satelliteId} ${p.allowedIps.join()}`), ['4 10.77.0.2/32', '4 10.77.0.4/32', '5 10.77.0.3/32']);
  const answers = parseAnswersYaml(await readFile(join(root, enrollment('4')), 'utf8'));
  assert.ok(answers.transport === 'wireguard');
  assert.equal(derivePublicKey(answers.wireguard.privateKey), rotation.wireguard!.publicKey);
  assert.equal(answers.wireguard.address, '10.77.0.4/32');
  assert.equal(answers.broker.password, mid.satellites[0]!.broker.password, 'the broker password survives a rotation');
  const list = await runCore(['core', 'list', '--root', root]);
  assert.match(list.stdout, /^4 +10\.77\.0\.2 -> 10\.77\.0\.4 \(rotating\)/m);

  const twice = await runCore(['core', 'rotate-satellite', '--id', '4', '--root', root]);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /rotation pending since/);

  const before = await snapshotTree(root);
  const refused = await runCore(['core', 'rotate-satellite', '--id', '4', '--finish', '--root', root]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /has not shaken hands \(interface usm0 is not up/);
  assert.deepEqual(await snapshotTree(root), before);

  const forced = await runCore(['core', 'rotate-satellite', '--id', '4', '--finish', '--force', '--root', root]);
  assert.equal(forced.code, 0, forced.stderr);
  const done = await readState(root);
  assert.equal(done.satellites[0]!.rotation, undefined);
  assert.ok(done.satellites[0]!.rotatedAt);
  assert.equal(done.satellites[0]!.wireguard!.address, '10.77.0.4');
  assert.deepEqual(done.wireguard?.retiredAddresses, ['10.77.0.2']);
  const peers = (await readHub(root)).peers;
  assert.ok(!peers.some((p) => p.publicKey === old.publicKey), 'the old peer is gone');
  assert.equal(peers.length, 2);

  assert.equal((await runCore(['core', 'rotate-satellite', '--id', '5', '--root', root])).code, 0);
  const cancelled = await runCore(['core', 'rotate-satellite', '--id', '5', '--cancel', '--root', root]);
  assert.equal(cancelled.code, 0, cancelled.stderr);
  const afterCancel = await readState(root);
  assert.equal(afterCancel.satellites[1]!.rotation, undefined);
  assert.equal(afterCancel.satellites[1]!.wireguard!.address, '10.77.0.3');
  assert.deepEqual(afterCancel.wireguard?.retiredAddresses, ['10.77.0.2', '10.77.0.5']);
  await assert.rejects(stat(join(root, enrollment('5'))), /ENOENT/);
});

test('amqps: add-satellite issues a client certificate the CA signed, CN usm-sat-<id>; rotation issues another', { timeout: 60_000 }, async (t) => {
  const root = await makeRoot();
  t.after(() => removeRoot(root));
  assert.equal((await runCore(['core', 'init', '--transport', 'amqps', '--endpoint', 'rabbit.example.net', '--root', root])).code, 0);
  await add(root, '8');
  const answers = parseAnswersYaml(await readFile(join(root, enrollment('8')), 'utf8'));
  assert.ok(answers.transport === 'amqps');
  assert.equal(answers.broker.host, 'rabbit.example.net');
  assert.equal(answers.broker.port, 5671);
  assert.equal(answers.amqps.serverName, 'rabbit.example.net');
  const certFile = join(root, 'client.pem');
  await execa('tee', [certFile], { input: answers.amqps.certPem, timeout: 5_000 });
  const verify = await execa('openssl', ['verify', '-CAfile', join(root, 'etc/usm-appliance/tls/ca.pem'), '-purpose', 'sslclient', certFile], { reject: false, timeout: 10_000 });
  assert.equal(verify.exitCode, 0, verify.stderr);
  const subject = await execa('openssl', ['x509', '-in', certFile, '-noout', '-subject'], { timeout: 10_000 });
  assert.match(subject.stdout, /CN ?= ?usm-sat-8/);
  const first = (await readState(root)).satellites[0]!.amqps!;
  assert.equal((await runCore(['core', 'rotate-satellite', '--id', '8', '--root', root])).code, 0);
  const rotated = parseAnswersYaml(await readFile(join(root, enrollment('8')), 'utf8'));
  assert.ok(rotated.transport === 'amqps');
  assert.notEqual(rotated.amqps.certPem, answers.amqps.certPem);
  const finish = await runCore(['core', 'rotate-satellite', '--id', '8', '--finish', '--root', root]);
  assert.equal(finish.code, 0, finish.stderr);
  const after = (await readState(root)).satellites[0]!;
  assert.notEqual(after.amqps!.serial, first.serial);
  assert.ok(after.rotatedAt);
  const list = await runCore(['core', 'list', '--root', root]);
  assert.match(list.stdout, /^8 +- +amqps /m);
});
