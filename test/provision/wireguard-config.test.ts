import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { generateKeyPair, generatePresharedKey } from '../../provision/lib/wireguard/wg-keys.js';
import { buildHubConfig, renderHubConfig, type HubPeerInput } from '../../provision/lib/wireguard/hub-config.js';
import { renderSatelliteConfig, type SatelliteConfigInput } from '../../provision/lib/wireguard/satellite-config.js';
import { parseWgQuickConfig } from '../../provision/lib/wireguard/parse-wg-quick-config.js';
import { renderWgQuickConfig, renderWgSyncConfig } from '../../provision/lib/wireguard/wg-quick-config.js';
import { isUsmError } from '../../common/usm-error.js';
import { goldenChecker, seededRandom } from '../support/golden.js';


const assertGolden = goldenChecker('provision/wireguard');


/** A deterministic core with three satellites (ids given out of order to prove sorting). */
function fixture(family: 4 | 6) {
  const randomBytes = seededRandom(`fixture-v${family}`);
  const hub = generateKeyPair({ randomBytes });
  const base = family === 4 ? '10.77.0.' : 'fd77:77::';
  const satellites = ['12', '3', 'branch-north'].map((satelliteId, index) => ({
    satelliteId,
    ...generateKeyPair({ randomBytes }),
    presharedKey: generatePresharedKey({ randomBytes }),
    address: `${base}${index + 2}`,
  }));
  const peers: HubPeerInput[] = satellites.map(({ satelliteId, publicKey, presharedKey, address }) => ({ satelliteId, publicKey, presharedKey, address }));
  const subnet = family === 4 ? '10.77.0.0/24' : 'fd77:77::/64';
  const first = satellites[0];
  assert.ok(first);
  const satellite: SatelliteConfigInput = {
    address: first.address,
    privateKey: first.privateKey,
    core: {
      publicKey: hub.publicKey,
      presharedKey: first.presharedKey,
      endpoint: family === 4 ? 'core.example.net' : '[2001:db8::10]:51820',
      address: `${base}1`,
    },
  };
  return { hub, peers, subnet, satellite };
}

async function wgQuickStrip(config: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'usm-wg-'));
  try {
    // wg-quick wants an interface-like file name and an absolute path; 0600 avoids its world-readable warning.
    const file = join(dir, 'usm0.conf');
    await writeFile(file, config, { mode: 0o600 });
    const result = await execa('wg-quick', ['strip', file], { timeout: 10_000 });
    return result.stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Only the key = value lines, for comparing our sync form with wg-quick's own stripping. */
function significantLines(text: string): string[] {
  return text.split('\n').map((line) => line.replace(/#.*$/, '').trim()).filter((line) => line !== '');
}

for (const family of [4, 6] as const) {
  const suffix = family === 4 ? '' : '-ipv6';

  test(`IPv${family}: hub config with 3 satellites matches golden, peers sorted by id`, async () => {
    const { hub, peers, subnet } = fixture(family);
    const text = renderHubConfig({ subnet, privateKey: hub.privateKey, peers });
    await assertGolden(`hub-3-satellites${suffix}.conf`, text);
    const ids = [...text.matchAll(/^# usm-satellite: (.+)$/gm)].map((match) => match[1]);
    assert.deepEqual(ids, ['3', '12', 'branch-north']);
  });

  test(`IPv${family}: satellite config matches golden`, async () => {
    const { satellite } = fixture(family);
    await assertGolden(`satellite${suffix}.conf`, renderSatelliteConfig(satellite));
  });

  test(`IPv${family}: sync (stripped) config matches golden and wg-quick strip`, async () => {
    const { hub, peers, subnet } = fixture(family);
    const config = buildHubConfig({ subnet, privateKey: hub.privateKey, peers });
    const sync = renderWgSyncConfig(config);
    await assertGolden(`hub-3-satellites${suffix}.sync.conf`, sync);
    assert.deepEqual(significantLines(sync), significantLines(await wgQuickStrip(renderWgQuickConfig(config))));
  });

  test(`IPv${family}: render -> parse -> render is identical for both ends`, () => {
    const { hub, peers, subnet, satellite } = fixture(family);
    for (const text of [renderHubConfig({ subnet, privateKey: hub.privateKey, peers }), renderSatelliteConfig(satellite)]) {
      const parsed = parseWgQuickConfig(text);
      assert.equal(renderWgQuickConfig(parsed), text);
      assert.deepEqual(parseWgQuickConfig(renderWgQuickConfig(parsed)), parsed);
    }
  });

  test(`IPv${family}: every rendered file passes wg-quick strip (hub and satellite)`, async () => {
    const { hub, peers, subnet, satellite } = fixture(family);
    const hubStripped = await wgQuickStrip(renderHubConfig({ subnet, privateKey: hub.privateKey, peers }));
    assert.match(hubStripped, /^ListenPort = 51820$/m);
    assert.doesNotMatch(hubStripped, /^(Address|MTU)\b/m);
    assert.equal(hubStripped.match(/^\[Peer\]$/gm)?.length, 3);
    const satStripped = await wgQuickStrip(renderSatelliteConfig(satellite));
    assert.match(satStripped, /^PersistentKeepalive = 25$/m);
    assert.doesNotMatch(satStripped, /^(Address|MTU|ListenPort)\b/m);
  });
}

test('hub and satellite content: addresses, AllowedIPs limited to single hosts, defaults', () => {
  const { hub, peers, subnet, satellite } = fixture(4);
  const parsedHub = parseWgQuickConfig(renderHubConfig({ subnet, privateKey: hub.privateKey, peers }));
  assert.deepEqual(parsedHub.interface.addresses, ['10.77.0.1/24']);
  assert.equal(parsedHub.interface.listenPort, 51820);
  assert.equal(parsedHub.interface.mtu, 1420);
  for (const peer of parsedHub.peers) {
    const input = peers.find((item) => item.satelliteId === peer.satelliteId);
    assert.ok(input);
    assert.deepEqual(peer.allowedIps, [`${input.address}/32`]);
    assert.equal(peer.publicKey, input.publicKey);
    assert.equal(peer.presharedKey, input.presharedKey);
    assert.equal(peer.endpoint, undefined);
  }
  const parsedSat = parseWgQuickConfig(renderSatelliteConfig(satellite));
  assert.deepEqual(parsedSat.interface.addresses, ['10.77.0.2/32']);
  assert.equal(parsedSat.interface.listenPort, undefined);
  assert.equal(parsedSat.peers.length, 1);
  assert.deepEqual(parsedSat.peers[0]?.allowedIps, ['10.77.0.1/32']);
  assert.equal(parsedSat.peers[0]?.endpoint, 'core.example.net:51820');
  assert.equal(parsedSat.peers[0]?.persistentKeepalive, 25);
  const v6 = parseWgQuickConfig(renderSatelliteConfig(fixture(6).satellite));
  assert.deepEqual(v6.peers[0]?.allowedIps, ['fd77:77::1/128']);
  assert.equal(v6.peers[0]?.endpoint, '[2001:db8::10]:51820');
});

test('hub options: listen port, MTU and header are honoured', () => {
  const { hub, peers } = fixture(4);
  const text = renderHubConfig({ subnet: '10.80.0.0/22', privateKey: hub.privateKey, peers: [], listenPort: 4500, mtu: 1380, header: ['hello'] });
  assert.equal(text, `# hello\n\n[Interface]\nAddress = 10.80.0.1/22\nListenPort = 4500\nPrivateKey = ${hub.privateKey}\nMTU = 1380\n`);
  assert.ok(peers.length > 0);
});

test('the parser tolerates comments, blank lines, CRLF, letter case and inline comments', () => {
  const { hub, peers } = fixture(4);
  const peer = peers[0];
  assert.ok(peer);
  const text = [
    '',
    '# hand-edited',
    '[interface]   ',
    '  address=10.77.0.1/24 ,  10.78.0.1/24',
    'LISTENPORT = 51820 # the default',
    `privatekey = ${hub.privateKey}`,
    '',
  ];
  const more = ['[PEER]', '#usm-satellite:  3', `publickey=${peer.publicKey}`, 'allowedips = 10.77.0.2/32', 'AllowedIPs = 10.77.0.9/32', 'persistentkeepalive = off'];
  const parsed = parseWgQuickConfig([...text, ...more].join('\r\n'));
  assert.deepEqual(parsed.header, ['hand-edited']);
  assert.deepEqual(parsed.interface.addresses, ['10.77.0.1/24', '10.78.0.1/24']);
  assert.equal(parsed.interface.listenPort, 51820);
  assert.equal(parsed.peers[0]?.satelliteId, '3');
  assert.deepEqual(parsed.peers[0]?.allowedIps, ['10.77.0.2/32', '10.77.0.9/32']);
  assert.equal(parsed.peers[0]?.persistentKeepalive, 0);
});

test('malformed configs fail with every problem naming its line, without echoing keys', () => {
  const { hub, peers } = fixture(4);
  const peer = peers[0];
  assert.ok(peer);
  const cases: Array<[string, string[]]> = [
    ['', ['no [Interface] section']],
    [`[Interface]\nAddress = 10.77.0.1/24\n`, ['line 1: [Interface] has no PrivateKey']],
    [`PrivateKey = ${hub.privateKey}\n`, ['line 1: "PrivateKey" appears before any [Interface] or [Peer] section', 'no [Interface] section']],
    [`[Interface]\nPrivateKey = ${hub.privateKey}\nwhat is this\n`, ['line 3: expected "Key = value" or a [Section] header']],
    [`[Interface]\nPrivateKey = ${hub.privateKey}\nListenPort = 70000\n`, ['line 3: ListenPort must be an integer 1-65535, got "70000"']],
    [`[Interface]\nPrivateKey = ${hub.privateKey}\nMTU = big\n`, ['line 3: MTU must be an integer 576-65535, got "big"']],
    [`[Interface]\nPrivateKey = ${hub.privateKey}\nAddress = 10.77.0.300/24\n`, ['line 3: Address "10.77.0.300/24" is not a valid IPv4 or IPv6 address']],
    [`[Interface]\nPrivateKey = ${hub.privateKey}\nSaveConfig = true\n`, ['line 3: unknown key "SaveConfig" in [Interface]']],
    [`[Interface]\nPrivateKey = ${hub.privateKey}\nPrivateKey = ${hub.privateKey}\n`, ['line 3: "PrivateKey" is set twice in one section']],
    [`[Interface]\nPrivateKey = ${hub.privateKey}\n[Peers]\n`, ['line 3: unknown section [Peers] (expected [Interface] or [Peer])']],
    [`[Interface]\nPrivateKey = ${hub.privateKey}\n[Peer]\nAllowedIPs = 10.77.0.2/32\n`, ['line 3: [Peer] has no PublicKey']],
    [`[Interface]\nPrivateKey = ${hub.privateKey}\n[Peer]\nPublicKey = abc\n`, ['line 4: PublicKey is not a WireGuard key (expected 44 base64 characters encoding 32 bytes)']],
    [`[Interface]\nPrivateKey = ${hub.privateKey}\n[Peer]\nPublicKey = ${peer.publicKey}\nEndpoint = core.example.net\n`, ['line 5: endpoint "core.example.net": missing ":port"']],
    [`[Interface]\nPrivateKey = ${hub.privateKey}\n[Peer]\nPublicKey = ${peer.publicKey}\nEndpoint = [fd00::1:51820\n`, ['line 5: endpoint "[fd00::1:51820": missing "]" after the IPv6 address']],
    [`[Interface]\nPrivateKey = ${hub.privateKey}\n[Peer]\nPublicKey = ${peer.publicKey}\nPersistentKeepalive = -1\n`, ['line 5: PersistentKeepalive must be an integer 0-65535, got "-1"']],
    [`[Interface]\nPrivateKey = ${hub.privateKey}\n[Peer]\nPublicKey = ${peer.publicKey}\n[Peer]\nPublicKey = ${peer.publicKey}\n`, ['line 5: [Peer] repeats the PublicKey of the [Peer] at line 3']],
    [`[Peer]\nPublicKey = ${peer.publicKey}\n[Interface]\nPrivateKey = ${hub.privateKey}\n`, ['line 3: [Interface] must come before every [Peer]']],
    [`[Interface]\nPrivateKey = ${hub.privateKey}\n[Interface]\nPrivateKey = ${hub.privateKey}\n`, ['line 3: second [Interface] section']],
    [`[Interface]\nPrivateKey = ${hub.privateKey}\n[Peer]\n# usm-satellite: 1\n# usm-satellite: 2\nPublicKey = ${peer.publicKey}\n`, ['line 5: second "# usm-satellite:" comment in one [Peer]']],
  ];
  for (const [text, expected] of cases) {
    assert.throws(
      () => parseWgQuickConfig(text, 'usm0.conf'),
      (error) => {
        assert.ok(isUsmError(error));
        assert.equal(error.code, 'E_WIREGUARD');
        assert.equal(error.message, 'usm0.conf: invalid WireGuard configuration');
        assert.deepEqual(error.problems, expected, text);
        assert.ok(!error.problems.join('\n').includes(hub.privateKey));
        return true;
      },
    );
  }
});

test('hub builder refuses bad peers with the satellite named', () => {
  const { hub, peers, subnet } = fixture(4);
  const [a, b] = peers;
  assert.ok(a && b);
  const build = (list: HubPeerInput[], sub = subnet) => () => buildHubConfig({ subnet: sub, privateKey: hub.privateKey, peers: list });
  const expectations: Array<[() => unknown, RegExp]> = [
    [build([{ ...a, address: '10.77.0.1' }]), /peers\[0\] \(satellite 12\): address 10.77.0.1 is the hub's own address/],
    [build([{ ...a, address: '10.78.0.5' }]), /not a host address in tunnel subnet 10.77.0.0\/24/],
    [build([{ ...a, address: '10.77.0.5/24' }]), /must be a single host/],
    [build([a, { ...b, address: a.address }]), /peers\[1\] \(satellite 3\): address 10.77.0.2 is used by another satellite/],
    [build([a, { ...b, satelliteId: a.satelliteId }]), /peers\[1\] \(satellite 12\): satellite id appears twice/],
    [build([a, { ...b, publicKey: a.publicKey }]), /public key is used by another satellite/],
    [build([{ ...a, presharedKey: 'x' }]), /peers\[0\] \(satellite 12\) preshared key is not a WireGuard key/],
    [build([{ ...a, satelliteId: 'bad id' }]), /peers\[0\]\.satelliteId "bad id" must be 1-64 characters/],
    [build([{ ...a, address: 'fd77::2' }]), /is IPv6 but tunnel subnet 10.77.0.0\/24 is IPv4/],
    [() => buildHubConfig({ subnet, privateKey: hub.privateKey, peers: [], listenPort: 0 }), /hub listen port 0 must be 1-65535/],
    [() => buildHubConfig({ subnet, privateKey: hub.privateKey, peers: [], mtu: 100 }), /MTU 100 must be 1280-9000/],
    [() => renderSatelliteConfig({ ...fixture(4).satellite, core: { ...fixture(4).satellite.core, address: 'fd77::1' } }), /different IP families/],
    [() => renderSatelliteConfig({ ...fixture(4).satellite, core: { ...fixture(4).satellite.core, endpoint: 'bad host!:1' } }), /endpoint "bad host!:1"/],
  ];
  for (const [run, pattern] of expectations) assert.throws(run, pattern);
});
