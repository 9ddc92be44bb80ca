import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import { parseTunnelSubnet } from '../../provision/lib/addressing/tunnel-subnet.js';
import { allocateSatelliteAddresses, createAddressPool } from '../../provision/lib/addressing/address-pool.js';
import { generateKeyPair, generatePresharedKey } from '../../provision/lib/wireguard/wg-keys.js';
import { buildHubConfig } from '../../provision/lib/wireguard/hub-config.js';
import { buildSatelliteConfig } from '../../provision/lib/wireguard/satellite-config.js';
import { renderWgQuickConfig, renderWgSyncConfig, type WgQuickConfig } from '../../provision/lib/wireguard/wg-quick-config.js';
import { makeHubPeers } from '../support/hub-peers.js';

// Real userspace WireGuard (wireguard-go) inside namespaces this test creates,
// so nothing touches the host's network. wireguard-go keeps its control socket
// in /run/wireguard, shared by all namespaces: interface names are unique.

const EXEC_TIMEOUT = 15_000;

interface Lab {
  tag: string;
  dir: string;
  namespaces: string[];
  daemons: ResultPromise[];
}

async function createLab(): Promise<Lab> {
  return { tag: randomBytes(3).toString('hex'), dir: await mkdtemp(join(tmpdir(), 'usm-wgif-')), namespaces: [], daemons: [] };
}

async function destroyLab(lab: Lab): Promise<void> {
  for (const daemon of lab.daemons) {
    daemon.kill('SIGTERM');
    await daemon.catch(() => undefined);
  }
  for (const ns of lab.namespaces) await execa('ip', ['netns', 'del', ns], { timeout: EXEC_TIMEOUT, reject: false });
  await rm(lab.dir, { recursive: true, force: true });
}

async function run(ns: string, argv: string[], input?: string): Promise<string> {
  const result = await execa('ip', ['netns', 'exec', ns, ...argv], { timeout: EXEC_TIMEOUT, input });
  return result.stdout;
}

async function addNamespace(lab: Lab, role: string): Promise<string> {
  const ns = `usm-${role}-${lab.tag}`;
  await execa('ip', ['netns', 'add', ns], { timeout: EXEC_TIMEOUT });
  lab.namespaces.push(ns);
  await run(ns, ['ip', 'link', 'set', 'lo', 'up']);
  return ns;
}

/** Starts wireguard-go in the foreground (so this test owns its pid) and waits for its control socket. */
async function startInterface(lab: Lab, ns: string, name: string): Promise<void> {
  const daemon = execa('ip', ['netns', 'exec', ns, 'wireguard-go', '-f', name], {
    timeout: 120_000,
    reject: false,
    env: { WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1', LOG_LEVEL: 'error' },
  });
  lab.daemons.push(daemon);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    try {
      await access(`/run/wireguard/${name}.sock`);
      return;
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`wireguard-go did not create /run/wireguard/${name}.sock`);
}

/** Applies the stripped form the way `wg-quick` would, through a 0600 file (keys never on argv). */
async function syncConfig(lab: Lab, ns: string, name: string, config: WgQuickConfig): Promise<void> {
  const file = join(lab.dir, `${name}.sync.conf`);
  await writeFile(file, renderWgSyncConfig(config), { mode: 0o600 });
  await run(ns, ['wg', 'syncconf', name, file]);
}

test('wg syncconf loads a 1,000-peer hub config into a real interface', { timeout: 90_000 }, async (t) => {
  const lab = await createLab();
  t.after(() => destroyLab(lab));
  const ns = await addNamespace(lab, 'big');
  const name = `usmb${lab.tag}`;
  await startInterface(lab, ns, name);
  const subnet = parseTunnelSubnet('10.77.0.0/22');
  const peers = makeHubPeers(subnet, Array.from({ length: 1000 }, (_, index) => String(index + 1)));
  const hub = generateKeyPair();
  const config = buildHubConfig({ subnet, privateKey: hub.privateKey, peers, listenPort: 51999 });
  await syncConfig(lab, ns, name, config);
  const shown = (await run(ns, ['wg', 'show', name, 'peers'])).split('\n').filter((line) => line !== '');
  assert.equal(shown.length, 1000);
  assert.deepEqual(new Set(shown), new Set(peers.map((peer) => peer.publicKey)));
  assert.equal((await run(ns, ['wg', 'show', name, 'public-key'])).trim(), hub.publicKey);
  const allowed = await run(ns, ['wg', 'show', name, 'allowed-ips']);
  const first = peers[0];
  assert.ok(first);
  assert.match(allowed, new RegExp(`^${first.publicKey.replace(/[+/]/g, '\\$&')}\\t10\\.77\\.0\\.2/32$`, 'm'));
  // Removing a satellite and syncing again drops exactly that peer without recreating the interface.
  await syncConfig(lab, ns, name, { ...config, peers: config.peers.filter((peer) => peer.satelliteId !== '500') });
  const after = (await run(ns, ['wg', 'show', name, 'peers'])).split('\n').filter((line) => line !== '');
  assert.equal(after.length, 999);
});

test('hub and satellite configs bring up a working tunnel between two namespaces', { timeout: 60_000 }, async (t) => {
  const lab = await createLab();
  t.after(() => destroyLab(lab));
  const hubNs = await addNamespace(lab, 'hub');
  const satNs = await addNamespace(lab, 'sat');
  // An underlay link between the namespaces stands in for the internet.
  const [vethHub, vethSat] = [`vh${lab.tag}`, `vs${lab.tag}`];
  await execa('ip', ['link', 'add', vethHub, 'netns', hubNs, 'type', 'veth', 'peer', 'name', vethSat, 'netns', satNs], { timeout: EXEC_TIMEOUT });
  await run(hubNs, ['ip', 'addr', 'add', '192.0.2.1/30', 'dev', vethHub]);
  await run(satNs, ['ip', 'addr', 'add', '192.0.2.2/30', 'dev', vethSat]);
  await run(hubNs, ['ip', 'link', 'set', vethHub, 'up']);
  await run(satNs, ['ip', 'link', 'set', vethSat, 'up']);

  const subnet = parseTunnelSubnet('10.77.0.0/24');
  const hubKeys = generateKeyPair();
  const satKeys = generateKeyPair();
  const psk = generatePresharedKey();
  const { allocations } = allocateSatelliteAddresses(subnet, createAddressPool(), ['7']);
  const satAddress = allocations[0]?.address ?? '';
  const hubConfig = buildHubConfig({
    subnet,
    privateKey: hubKeys.privateKey,
    peers: [{ satelliteId: '7', publicKey: satKeys.publicKey, presharedKey: psk, address: satAddress }],
  });
  const satConfig = buildSatelliteConfig({
    address: satAddress,
    privateKey: satKeys.privateKey,
    core: { publicKey: hubKeys.publicKey, presharedKey: psk, endpoint: '192.0.2.1:51820', address: subnet.hubAddress.text },
  });
  const ends: Array<[string, string, WgQuickConfig]> = [
    [hubNs, `usmh${lab.tag}`, hubConfig],
    [satNs, `usms${lab.tag}`, satConfig],
  ];
  for (const [ns, name, config] of ends) {
    await startInterface(lab, ns, name);
    await syncConfig(lab, ns, name, config);
    // What wg-quick up does with the parts the kernel interface does not know.
    for (const address of config.interface.addresses) await run(ns, ['ip', 'address', 'add', address, 'dev', name]);
    await run(ns, ['ip', 'link', 'set', 'mtu', String(config.interface.mtu), 'up', 'dev', name]);
    for (const peer of config.peers) {
      for (const allowed of peer.allowedIps) await run(ns, ['ip', 'route', 'replace', allowed, 'dev', name]);
    }
  }
  assert.ok(renderWgQuickConfig(satConfig).includes('PersistentKeepalive = 25'));
  await run(satNs, ['ping', '-c', '3', '-i', '0.2', '-W', '3', subnet.hubAddress.text]);
  const handshake = await run(hubNs, ['wg', 'show', `usmh${lab.tag}`, 'latest-handshakes']);
  const [peerKey, epoch] = handshake.trim().split('\t');
  assert.equal(peerKey, satKeys.publicKey);
  assert.ok(Number(epoch) > 0, 'a handshake happened');
  // The satellite's AllowedIPs is only the core: anything else in the subnet is not routed into the tunnel.
  const routes = await run(satNs, ['ip', 'route', 'show', 'dev', `usms${lab.tag}`]);
  assert.equal(routes.trim(), '10.77.0.1 scope link');
});
