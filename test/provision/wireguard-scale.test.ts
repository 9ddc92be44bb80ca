import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTunnelSubnet } from '../../provision/lib/addressing/tunnel-subnet.js';
import { generateKeyPair } from '../../provision/lib/wireguard/wg-keys.js';
import { renderHubConfig } from '../../provision/lib/wireguard/hub-config.js';
import { parseWgQuickConfig } from '../../provision/lib/wireguard/parse-wg-quick-config.js';
import { renderWgQuickConfig } from '../../provision/lib/wireguard/wg-quick-config.js';
import { makeHubPeers } from '../support/hub-peers.js';

test('1,000 satellites: allocate, render the hub config, parse it back, every peer intact', () => {
  const subnet = parseTunnelSubnet('10.77.0.0/22');
  const ids = Array.from({ length: 1000 }, (_, index) => String(1000 - index)); // reverse order: the renderer sorts
  const peers = makeHubPeers(subnet, ids);
  const hub = generateKeyPair();
  const text = renderHubConfig({ subnet, privateKey: hub.privateKey, peers });
  const parsed = parseWgQuickConfig(text, 'usm0.conf');
  assert.equal(renderWgQuickConfig(parsed), text);
  assert.deepEqual(parsed.interface.addresses, ['10.77.0.1/22']);
  assert.equal(parsed.peers.length, 1000);
  assert.deepEqual(parsed.peers.map((peer) => peer.satelliteId), Array.from({ length: 1000 }, (_, index) => String(index + 1)));
  const byId = new Map(peers.map((peer) => [peer.satelliteId, peer]));
  const seenAddresses = new Set<string>();
  for (const peer of parsed.peers) {
    const input = byId.get(peer.satelliteId ?? '');
    assert.ok(input, `peer ${peer.satelliteId} was not an input`);
    assert.equal(peer.publicKey, input.publicKey);
    assert.equal(peer.presharedKey, input.presharedKey);
    assert.deepEqual(peer.allowedIps, [`${input.address}/32`]);
    seenAddresses.add(input.address);
  }
  assert.equal(seenAddresses.size, 1000);
  // Satellite "1000" was allocated first, so it holds the first satellite address.
  assert.equal(byId.get('1000')?.address, '10.77.0.2');
});
