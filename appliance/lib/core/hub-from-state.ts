import { hostCidr } from '../../../provision/lib/addressing/cidr.js';
import { parseIpAddress } from '../../../provision/lib/addressing/ip-address.js';
import { parseTunnelSubnet, type TunnelSubnet } from '../../../provision/lib/addressing/tunnel-subnet.js';
import type { AddressPool } from '../../../provision/lib/addressing/address-pool.js';
import { buildHubConfig } from '../../../provision/lib/wireguard/hub-config.js';
import type { WgPeerSection, WgQuickConfig } from '../../../provision/lib/wireguard/wg-quick-config.js';
import { UsmError } from '../../../common/usm-error.js';
import type { CoreState } from './core-state-schema.js';

export type WireguardHubState = NonNullable<CoreState['wireguard']>;

/** The hub section, or an error saying the command needs the WireGuard transport. */
export function requireWireguard(state: CoreState, what: string): WireguardHubState {
  if (state.wireguard === undefined) throw new UsmError('E_USAGE', `${what} needs the wireguard transport; this core uses ${state.transport}`);
  return state.wireguard;
}

export function subnetOf(state: CoreState): TunnelSubnet {
  return parseTunnelSubnet(requireWireguard(state, 'the tunnel subnet').subnet);
}

/** Pool key of a pending rotation's address: never a valid satellite id, so it cannot collide with one. */
export function rotationPoolKey(satelliteId: string): string {
  return `${satelliteId}#rotation`;
}

/**
 * The address pool as provision/ sees it, derived from the state: every
 * satellite's address, every pending rotation's new address, and the retired
 * ones. Derived rather than stored so the two can never disagree.
 */
export function poolOf(state: CoreState): AddressPool {
  const allocated = state.satellites.flatMap((sat) => [
    ...(sat.wireguard ? [{ satelliteId: sat.id, address: sat.wireguard.address }] : []),
    ...(sat.rotation?.wireguard ? [{ satelliteId: rotationPoolKey(sat.id), address: sat.rotation.wireguard.address }] : []),
  ]);
  return { allocated, retired: state.wireguard?.retiredAddresses ?? [] };
}

/**
 * The hub's wg-quick config. A satellite in rotation has two peers, the old
 * and the new one, each allowed only its own address; the new one follows the
 * old one in the file. Both carry the satellite's id comment.
 */
export function buildHubFromState(state: CoreState): WgQuickConfig {
  const hub = requireWireguard(state, 'the hub config');
  const current = state.satellites.filter((sat) => sat.wireguard !== undefined);
  const config = buildHubConfig({
    subnet: hub.subnet,
    privateKey: hub.privateKey,
    listenPort: hub.listenPort,
    mtu: hub.mtu,
    peers: current.map((sat) => ({ satelliteId: sat.id, ...sat.wireguard! })),
  });
  const rotating = new Map(state.satellites.filter((sat) => sat.rotation?.wireguard).map((sat) => [sat.id, sat.rotation!.wireguard!]));
  if (rotating.size === 0) return config;
  const peers: WgPeerSection[] = [];
  for (const peer of config.peers) {
    peers.push(peer);
    const next = peer.satelliteId === undefined ? undefined : rotating.get(peer.satelliteId);
    if (next === undefined) continue;
    peers.push({
      satelliteId: peer.satelliteId,
      publicKey: next.publicKey,
      presharedKey: next.presharedKey,
      allowedIps: [hostCidr(parseIpAddress(next.address)).text],
    });
  }
  return { ...config, peers };
}
