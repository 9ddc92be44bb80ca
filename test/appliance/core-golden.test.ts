import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { generateKeyPair, generatePresharedKey, type RandomBytes } from '../../provision/lib/wireguard/wg-keys.js';
import { renderWgQuickConfig } from '../../provision/lib/wireguard/wg-quick-config.js';
import { parseCoreStateYaml, renderCoreStateYaml } from '../../appliance/lib/core/core-state-file.js';
import type { CoreState } from '../../appliance/lib/core/core-state-schema.js';
import { buildHubFromState } from '../../appliance/lib/core/hub-from-state.js';
import { listSatelliteRows, renderSatelliteTable } from '../../appliance/lib/core/core-table.js';
import { STATE, makeRoot, removeRoot, runCore } from './core-harness.js';
import { goldenChecker, seededRandom } from '../support/golden.js';


const golden = goldenChecker('core');


function wireguardState(): CoreState {
  const random = seededRandom('core-golden');
  const hub = generateKeyPair({ randomBytes: random });
  const peer = (address: string) => ({ address, publicKey: generateKeyPair({ randomBytes: random }).publicKey, presharedKey: generatePresharedKey({ randomBytes: random }) });
  const broker = (id: string, password: string) => ({ managed: true, username: `usm-sat-${id}`, password });
  return {
    version: 1,
    transport: 'wireguard',
    endpoint: 'core.example.net:51820',
    broker: { vhost: '/' },
    wireguard: { interface: 'usmgold0', subnet: '10.77.0.0/24', listenPort: 51820, mtu: 1420, ...hub, retiredAddresses: ['10.77.0.3', '10.77.0.5'] },
    satellites: [
      { id: '7', name: 'Branch North', createdAt: '2025-01-31T12:00:00Z', broker: broker('7', 'golden-password-seven-0123456789'), wireguard: peer('10.77.0.2') },
      {
        id: '12', createdAt: '2025-02-01T08:30:00Z', rotatedAt: '2025-03-01T09:00:00Z',
        broker: broker('12', 'golden-password-twelve-012345678'), wireguard: peer('10.77.0.4'),
      },
      {
        id: 'edge_3', createdAt: '2025-02-02T10:00:00Z', broker: { ...broker('edge_3', 'golden-password-edge3-0123456789'), managed: false },
        enrollmentFile: '/root/edge_3.yaml', wireguard: peer('10.77.0.6'), rotation: { startedAt: '2025-04-01T00:00:00Z', wireguard: peer('10.77.0.7') },
      },
    ],
  };
}

function amqpsState(): CoreState {
  return {
    version: 1,
    transport: 'amqps',
    endpoint: 'rabbit.example.net:5671',
    broker: { vhost: 'usm' },
    amqps: { serverName: 'rabbit.example.net', brokerHost: '192.0.2.7', caSha256: 'AB:'.repeat(31) + 'AB' },
    satellites: [
      {
        id: '8', createdAt: '2025-01-31T12:00:00Z', broker: { managed: true, username: 'usm-sat-8', password: 'golden-password-eight-0123456789' },
        amqps: { serial: '4E9046A61851DC373ED72A8D22BF733F959525C6', sha256: 'CD:'.repeat(31) + 'CD', notAfter: '2030-01-31T12:00:00Z' },
      },
    ],
  };
}

test('golden: the wireguard state file, and it parses back to the same data', async () => {
  const state = wireguardState();
  const text = renderCoreStateYaml(state);
  await golden('state-wireguard.yaml', text);
  assert.deepEqual(parseCoreStateYaml(text), state);
  assert.equal(renderCoreStateYaml(parseCoreStateYaml(text)), text);
});

test('golden: the amqps state file round trip', async () => {
  const text = renderCoreStateYaml(amqpsState());
  await golden('state-amqps.yaml', text);
  assert.deepEqual(parseCoreStateYaml(text), amqpsState());
});

test('golden: the hub config of a state with a rotation in progress (two peers for one satellite) passes wg-quick strip', async (t) => {
  const text = renderWgQuickConfig(buildHubFromState(wireguardState()));
  await golden('hub-with-rotation.conf', text);
  const root = await makeRoot('core-golden');
  t.after(() => removeRoot(root));
  const file = join(root, 'usmgold0.conf');
  await writeFile(file, text, { mode: 0o600 });
  const stripped = await execa('wg-quick', ['strip', file], { timeout: 10_000 });
  assert.equal((stripped.stdout.match(/^\[Peer\]$/gm) ?? []).length, 4);
});

test('golden: core list output (table and --json) for a known state, interface down', async (t) => {
  const root = await makeRoot('core-golden');
  t.after(() => removeRoot(root));
  await mkdir(join(root, dirname(STATE)), { recursive: true, mode: 0o700 });
  await writeFile(join(root, STATE), renderCoreStateYaml(wireguardState()), { mode: 0o600 });
  const table = await runCore(['core', 'list', '--root', root]);
  assert.equal(table.code, 0, table.stderr);
  await golden('list.txt', table.stdout);
  const json = await runCore(['core', 'list', '--json', '--root', root]);
  assert.equal(json.code, 0, json.stderr);
  await golden('list.json', json.stdout);
});

test('golden: core list table with the interface up (handshake times and "never")', async () => {
  const state = wireguardState();
  const peers = [
    { publicKey: state.satellites[0]!.wireguard!.publicKey, latestHandshake: Date.parse('2025-05-01T10:00:00Z') / 1000 },
    { publicKey: state.satellites[1]!.wireguard!.publicKey, latestHandshake: null },
    { publicKey: state.satellites[2]!.wireguard!.publicKey, latestHandshake: Date.parse('2025-05-01T09:00:00Z') / 1000 },
    { publicKey: state.satellites[2]!.rotation!.wireguard!.publicKey, latestHandshake: Date.parse('2025-05-01T09:59:00Z') / 1000 },
  ].map((peer) => ({ ...peer, endpoint: null, allowedIps: [], rxBytes: 0, txBytes: 0 }));
  const rows = listSatelliteRows(state, { publicKey: state.wireguard!.publicKey, listenPort: 51820, peers });
  await golden('list-up.txt', renderSatelliteTable(rows, true));
});
