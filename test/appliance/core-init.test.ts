import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseWgQuickConfig } from '../../provision/lib/wireguard/parse-wg-quick-config.js';
import { derivePublicKey } from '../../provision/lib/wireguard/wg-keys.js';
import { parseCoreStateYaml } from '../../appliance/lib/core/core-state-file.js';
import { HUB, STATE, makeRoot, modeOf, removeRoot, runCore, snapshotTree } from './core-harness.js';

const KEY_TEXT = /[A-Za-z0-9+/]{43}=/g;

test('core init writes state and hub config 0600 in 0700 directories; a re-run changes nothing', async (t) => {
  const root = await makeRoot();
  t.after(() => removeRoot(root));
  const first = await runCore(['core', 'init', '--endpoint', 'core.example.net', '--root', root]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /core initialised: transport wireguard, endpoint core\.example\.net:51820, hub 10\.77\.0\.1 in 10\.77\.0\.0\/24/);
  assert.equal(await modeOf(join(root, STATE)), 0o600);
  assert.equal(await modeOf(join(root, HUB)), 0o600);
  assert.equal(await modeOf(join(root, 'etc/usm-appliance')), 0o700);
  assert.equal(await modeOf(join(root, 'etc/wireguard')), 0o700);
  const state = parseCoreStateYaml(await readFile(join(root, STATE), 'utf8'));
  const hub = parseWgQuickConfig(await readFile(join(root, HUB), 'utf8'));
  assert.equal(hub.interface.privateKey, state.wireguard?.privateKey);
  assert.equal(derivePublicKey(hub.interface.privateKey), state.wireguard?.publicKey);
  assert.deepEqual(hub.interface.addresses, ['10.77.0.1/24']);
  assert.equal(hub.interface.listenPort, 51820);
  assert.ok(first.stdout.includes(state.wireguard!.publicKey));
  assert.ok(!first.stdout.includes(state.wireguard!.privateKey), 'the summary must not print the private key');

  const before = await snapshotTree(root);
  const second = await runCore(['core', 'init', '--endpoint', 'core.example.net:51820', '--root', root]);
  assert.equal(second.code, 0, second.stderr);
  assert.equal(second.stdout, 'core already initialised; nothing to change\n');
  // Same bytes, same modes, same mtimes: nothing was rewritten.
  assert.deepEqual(await snapshotTree(root), before);
});

test('core init --dry-run writes nothing and prints masked diffs', async (t) => {
  const root = await makeRoot();
  t.after(() => removeRoot(root));
  const result = await runCore(['core', 'init', '--endpoint', '192.0.2.10:51999', '--subnet', 'fd77::/64', '--dry-run', '--root', root]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(await snapshotTree(root), {});
  assert.match(result.stdout, /^Dry run: nothing was changed/);
  assert.match(result.stdout, /create +\S+\/etc\/usm-appliance\/core\.yaml/);
  assert.match(result.stdout, /create +\S+\/etc\/wireguard\/usm0\.conf/);
  assert.match(result.stdout, /\+PrivateKey = <redacted>/);
  assert.match(result.stdout, /\+  privateKey: <redacted>/);
  assert.match(result.stdout, /\+Address = fd77::1\/64/);
  // The only key-shaped text left is the public key (on its own publicKey line).
  const keys = result.stdout.match(KEY_TEXT) ?? [];
  assert.equal(keys.length, 1);
  assert.match(result.stdout, new RegExp(`publicKey: ${keys[0]!.replace(/[+/]/g, '\\$&')}`));
});

test('core init with different settings is refused naming each, then applied with --force keeping the keys', async (t) => {
  const root = await makeRoot();
  t.after(() => removeRoot(root));
  assert.equal((await runCore(['core', 'init', '--endpoint', 'core.example.net', '--root', root])).code, 0);
  const stateBefore = parseCoreStateYaml(await readFile(join(root, STATE), 'utf8'));
  const before = await snapshotTree(root);
  const refused = await runCore(['core', 'init', '--endpoint', 'vpn.example.net:443', '--subnet', '10.78.0.0/24', '--listen-port', '4500', '--root', root]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /already initialised with different settings; re-run with --force/);
  assert.match(refused.stderr, /--endpoint: core\.example\.net:51820 \(now\) -> vpn\.example\.net:443 \(asked\)/);
  assert.match(refused.stderr, /--subnet: 10\.77\.0\.0\/24 \(now\) -> 10\.78\.0\.0\/24 \(asked\)/);
  assert.match(refused.stderr, /--listen-port: 51820 \(now\) -> 4500 \(asked\)/);
  assert.deepEqual(await snapshotTree(root), before);

  const forced = await runCore(['core', 'init', '--endpoint', 'vpn.example.net:443', '--subnet', '10.78.0.0/24', '--listen-port', '4500', '--force', '--root', root]);
  assert.equal(forced.code, 0, forced.stderr);
  const state = parseCoreStateYaml(await readFile(join(root, STATE), 'utf8'));
  assert.equal(state.endpoint, 'vpn.example.net:443');
  assert.equal(state.wireguard?.subnet, '10.78.0.0/24');
  assert.equal(state.wireguard?.listenPort, 4500);
  assert.equal(state.wireguard?.privateKey, stateBefore.wireguard?.privateKey, '--force keeps the hub keys');

  // With a satellite enrolled, the subnet is fixed even with --force.
  assert.equal((await runCore(['core', 'add-satellite', '--id', '1', '--no-broker', '--root', root])).code, 0);
  const blocked = await runCore(['core', 'init', '--endpoint', 'vpn.example.net:443', '--subnet', '10.79.0.0/24', '--force', '--root', root]);
  assert.equal(blocked.code, 2);
  assert.match(blocked.stderr, /cannot change these while 1 satellite\(s\) are enrolled/);
  assert.match(blocked.stderr, /--subnet: 10\.78\.0\.0\/24/);
});

test('core init --transport amqps: CA and server certificate (SAN = endpoint host) verified by openssl, keys 0600, snippet path printed', { timeout: 60_000 }, async (t) => {
  const root = await makeRoot();
  t.after(() => removeRoot(root));
  const result = await runCore(['core', 'init', '--transport', 'amqps', '--endpoint', 'rabbit.example.net', '--broker-host', '192.0.2.7', '--root', root]);
  assert.equal(result.code, 0, result.stderr);
  const tls = join(root, 'etc/usm-appliance/tls');
  assert.match(result.stdout, new RegExp(`RabbitMQ config snippet: ${tls}/rabbitmq-tls\\.conf`));
  assert.equal(await modeOf(tls), 0o700);
  assert.equal(await modeOf(join(tls, 'ca.key')), 0o600);
  assert.equal(await modeOf(join(tls, 'server.key')), 0o600);
  await assert.rejects(stat(join(root, HUB)), /ENOENT/);
  const verify = await execa('openssl', ['verify', '-CAfile', join(tls, 'ca.pem'), '-purpose', 'sslserver', '-verify_hostname', 'rabbit.example.net', join(tls, 'server.pem')], { reject: false, timeout: 10_000 });
  assert.equal(verify.exitCode, 0, verify.stderr);
  const text = await execa('openssl', ['x509', '-in', join(tls, 'server.pem'), '-noout', '-ext', 'subjectAltName'], { timeout: 10_000 });
  assert.match(text.stdout, /DNS:rabbit\.example\.net, IP Address:192\.0\.2\.7/);
  const fingerprint = await execa('openssl', ['x509', '-in', join(tls, 'ca.pem'), '-noout', '-fingerprint', '-sha256'], { timeout: 10_000 });
  const state = parseCoreStateYaml(await readFile(join(root, STATE), 'utf8'));
  assert.equal(fingerprint.stdout.split('=')[1], state.amqps?.caSha256);
  const snippet = await readFile(join(tls, 'rabbitmq-tls.conf'), 'utf8');
  assert.match(snippet, /^ssl_options\.certfile = \/etc\/rabbitmq\/usm-tls\/server\.pem$/m);
  assert.match(snippet, /^ssl_options\.fail_if_no_peer_cert = true$/m);

  const before = await snapshotTree(root);
  const again = await runCore(['core', 'init', '--transport', 'amqps', '--endpoint', 'rabbit.example.net', '--root', root]);
  assert.equal(again.stdout, 'core already initialised; nothing to change\n', again.stderr);
  assert.deepEqual(await snapshotTree(root), before);
});

test('core --help texts explain every flag', async () => {
  for (const name of ['init', 'up', 'down', 'add-satellite', 'remove-satellite', 'list', 'rotate-satellite']) {
    const result = await runCore(['core', name, '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, new RegExp(`^Usage: usm-appliance core ${name}`));
    assert.match(result.stdout, /--root DIR/);
    if (name !== 'list') assert.match(result.stdout, /--dry-run/);
  }
});
