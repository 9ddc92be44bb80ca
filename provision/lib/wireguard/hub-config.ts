import { UsmError } from '../../../common/usm-error.js';
import { hostCidr } from '../addressing/cidr.js';
import { parseIpAddress } from '../addressing/ip-address.js';
import { hubInterfaceAddress, offsetOfAddress, parseTunnelSubnet, type TunnelSubnet } from '../addressing/tunnel-subnet.js';
import { assertSatelliteId, compareSatelliteIds } from '../answers/satellite-id.js';
import { DEFAULT_WG_PORT } from './endpoint.js';
import { assertWireguardKey } from './wg-keys.js';
import { renderWgQuickConfig, type WgQuickConfig } from './wg-quick-config.js';

export const DEFAULT_WG_MTU = 1420;

export const HUB_HEADER = [
  'usm-appliance core WireGuard hub. Generated file: `usm-appliance core` rewrites it.',
  'Contains the private key: keep it mode 0600, owned by root.',
];

export interface HubPeerInput {
  readonly satelliteId: string;
  readonly publicKey: string;
  readonly presharedKey: string;
  /** The satellite's tunnel address, without prefix (or with /32, /128). */
  readonly address: string;
}

export interface HubConfigInput {
  /** The tunnel subnet; the hub takes its first host address. */
  readonly subnet: string | TunnelSubnet;
  readonly privateKey: string;
  readonly listenPort?: number;
  readonly mtu?: number;
  readonly peers: readonly HubPeerInput[];
  readonly header?: readonly string[];
}

/**
 * The core's config: one [Peer] per satellite, each allowed exactly its own
 * host address, so a satellite cannot claim another's address or route any
 * other traffic through the core. Peers are sorted by satellite id.
 */
export function buildHubConfig(input: HubConfigInput): WgQuickConfig {
  const subnet = typeof input.subnet === 'string' ? parseTunnelSubnet(input.subnet) : input.subnet;
  assertWireguardKey(input.privateKey, 'hub private key');
  const ids = new Set<string>();
  const addresses = new Set<string>();
  const publicKeys = new Set<string>();
  const peers = input.peers.map((peer, index) => {
    const what = `peers[${index}] (satellite ${peer.satelliteId})`;
    assertSatelliteId(peer.satelliteId, `peers[${index}].satelliteId`);
    assertWireguardKey(peer.publicKey, `${what} public key`);
    assertWireguardKey(peer.presharedKey, `${what} preshared key`);
    const address = parseIpAddress(stripHostPrefix(peer.address, what), `${what} address`);
    if (offsetOfAddress(subnet, address.text, `${what} address`) < subnet.firstSatelliteOffset) {
      throw new UsmError('E_WIREGUARD', `${what}: address ${address.text} is the hub's own address`);
    }
    if (ids.has(peer.satelliteId)) throw new UsmError('E_WIREGUARD', `${what}: satellite id appears twice`);
    if (addresses.has(address.text)) throw new UsmError('E_WIREGUARD', `${what}: address ${address.text} is used by another satellite`);
    if (publicKeys.has(peer.publicKey)) throw new UsmError('E_WIREGUARD', `${what}: public key is used by another satellite`);
    ids.add(peer.satelliteId);
    addresses.add(address.text);
    publicKeys.add(peer.publicKey);
    return {
      satelliteId: peer.satelliteId,
      publicKey: peer.publicKey,
      presharedKey: peer.presharedKey,
      allowedIps: [hostCidr(address).text],
    };
  });
  peers.sort((a, b) => compareSatelliteIds(a.satelliteId, b.satelliteId));
  return {
    header: input.header ?? HUB_HEADER,
    interface: {
      addresses: [hubInterfaceAddress(subnet)],
      listenPort: checkPort(input.listenPort ?? DEFAULT_WG_PORT, 'hub listen port'),
      privateKey: input.privateKey,
      mtu: checkMtu(input.mtu ?? DEFAULT_WG_MTU),
    },
    peers,
  };
}

export function renderHubConfig(input: HubConfigInput): string {
  return renderWgQuickConfig(buildHubConfig(input));
}

/** Accepts "10.77.0.2", "10.77.0.2/32" or "fd00::2/128"; any other prefix is a mistake for a single host. */
export function stripHostPrefix(address: string, what: string): string {
  const [host, prefix] = address.split('/');
  if (prefix === undefined) return address;
  if ((prefix === '32' && !(host ?? '').includes(':')) || prefix === '128') return host ?? '';
  throw new UsmError('E_WIREGUARD', `${what}: address ${address} must be a single host (/32 or /128)`);
}

export function checkPort(port: number, what: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsmError('E_WIREGUARD', `${what} ${port} must be 1-65535`);
  return port;
}

export function checkMtu(mtu: number): number {
  if (!Number.isInteger(mtu) || mtu < 1280 || mtu > 9000) throw new UsmError('E_WIREGUARD', `MTU ${mtu} must be 1280-9000`);
  return mtu;
}
