import { allocateSatelliteAddresses, createAddressPool } from '../../provision/lib/addressing/address-pool.js';
import type { TunnelSubnet } from '../../provision/lib/addressing/tunnel-subnet.js';
import type { HubPeerInput } from '../../provision/lib/wireguard/hub-config.js';
import { generateKeyPair, generatePresharedKey } from '../../provision/lib/wireguard/wg-keys.js';

/** Hub peers with fresh keys and allocated addresses, one per satellite id (scale tests). */
export function makeHubPeers(subnet: TunnelSubnet, ids: readonly string[]): HubPeerInput[] {
  const { allocations } = allocateSatelliteAddresses(subnet, createAddressPool(), [...ids]);
  return allocations.map(({ satelliteId, address }) => ({
    satelliteId, address, publicKey: generateKeyPair().publicKey, presharedKey: generatePresharedKey(),
  }));
}
