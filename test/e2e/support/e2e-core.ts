/**
 * The core side of the end-to-end tests, built from the provision functions:
 * a WireGuard hub in the host namespace on a unique interface name
 * (usmc<tag>, its own /run/wireguard/usmc<tag>.sock), enrollment (answers)
 * files, and a least-privilege broker user per satellite on the test node.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import {
  answersSchema,
  buildHubConfig,
  generateKeyPair,
  generatePresharedKey,
  parseTunnelSubnet,
  renderAnswersYaml,
  renderWgQuickConfig,
  renderWgSyncConfig,
  type Answers,
  type HubPeerInput,
  type WgKeyPair,
} from '../../../provision/index.js';
import { planSatelliteBrokerUser } from '../../../provision/lib/broker-users/satellite-broker-user.js';
import { bringTunnelDown, bringTunnelUp } from '../../../appliance/lib/tunnel/wg-interface.js';
import type { E2eRabbit } from './e2e-rabbit.js';

export interface E2eCore {
  ifname: string;
  subnet: string;
  coreAddress: string;
  listenPort: number;
  publicKey: string;
  peers: HubPeerInput[];
  up(endpointHost: string): Promise<string>;
  setPeers(peers: HubPeerInput[]): Promise<void>;
  listPeers(): Promise<string[]>;
  down(): Promise<void>;
}

export async function createE2eCore(dir: string, tag: string, octet: number): Promise<E2eCore> {
  const keys = generateKeyPair();
  const subnet = `10.232.${octet}.0/24`;
  const ifname = `usmc${tag}`;
  const configPath = join(dir, `${ifname}.conf`);
  const listenPort = 40_000 + (octet % 200) * 100 + Math.floor(Math.random() * 100);
  let peers: HubPeerInput[] = [];
  const config = () => buildHubConfig({ subnet: parseTunnelSubnet(subnet), privateKey: keys.privateKey, peers, listenPort });
  const core: E2eCore = {
    ifname, subnet, coreAddress: `10.232.${octet}.1`, listenPort, publicKey: keys.publicKey,
    get peers() { return peers; },
    async up() {
      await writeFile(configPath, renderWgQuickConfig(config()), { mode: 0o600 });
      return bringTunnelUp(configPath);
    },
    async setPeers(next) {
      peers = next;
      const sync = join(dir, `${ifname}.sync.conf`);
      await writeFile(sync, renderWgSyncConfig(config()), { mode: 0o600 });
      await execa('wg', ['syncconf', ifname, sync], { timeout: 15_000 });
    },
    async listPeers() {
      return (await execa('wg', ['show', ifname, 'peers'], { timeout: 15_000 })).stdout.split('\n').filter(Boolean);
    },
    down: () => bringTunnelDown(configPath),
  };
  return core;
}

export interface Enrollment {
  answers: Answers;
  keys: WgKeyPair;
  presharedKey: string;
  address: string;
  path: string;
}

/** What core add-satellite / rotate-satellite issue: keys, PSK, an address and the broker login, as an answers file (0600). */
export async function enrollWireguard(
  dir: string, core: E2eCore, rabbit: E2eRabbit,
  input: { satelliteId: string; hostOffset: number; endpointHost: string; password?: string; fileName: string },
): Promise<Enrollment> {
  const keys = generateKeyPair();
  const presharedKey = generatePresharedKey();
  const address = core.coreAddress.replace(/\.1$/, `.${input.hostOffset}`);
  const user = planSatelliteBrokerUser({ satelliteId: input.satelliteId, ...(input.password ? { password: input.password } : {}) });
  if (!input.password) for (const command of user.rabbitmqctl) await rabbit.ctl(command.args, command.stdin);
  const answers = answersSchema.parse({
    version: 1,
    satellite: { id: input.satelliteId, name: 'e2e satellite' },
    transport: 'wireguard',
    wireguard: {
      interface: 'usm0', address: `${address}/32`, privateKey: keys.privateKey, persistentKeepalive: 5,
      core: { publicKey: core.publicKey, presharedKey, endpoint: `${input.endpointHost}:${core.listenPort}`, address: core.coreAddress },
    },
    broker: { username: user.user, password: user.password },
    poller: { concurrency: 16 },
    service: { manager: 'foreground' },
  });
  const path = join(dir, input.fileName);
  await writeFile(path, renderAnswersYaml(answers), { mode: 0o600 });
  return { answers, keys, presharedKey, address, path };
}
