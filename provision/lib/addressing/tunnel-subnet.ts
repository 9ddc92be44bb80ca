import { UsmError } from '../../../common/usm-error.js';
import { parseCidr, prefixMask, type Cidr } from './cidr.js';
import { familyBits, ipFromValue, parseIpAddress, type IpAddress, type IpFamily } from './ip-address.js';

export const DEFAULT_TUNNEL_SUBNET = '10.77.0.0/24';

/**
 * The tunnel network shared by the core (hub) and its satellites. Hosts are
 * addressed by offset from the network address: the hub takes the first host
 * (offset 1), satellites take offsets from 2 up to `lastHostOffset`.
 */
export interface TunnelSubnet {
  readonly family: IpFamily;
  readonly prefix: number;
  readonly network: bigint;
  /** Canonical `<network>/<prefix>`. */
  readonly cidr: string;
  readonly hubAddress: IpAddress;
  readonly firstSatelliteOffset: bigint;
  readonly lastHostOffset: bigint;
  /** How many satellites fit; a bigint because an IPv6 /64 holds 2^64. */
  readonly satelliteCapacity: bigint;
}

/** Smallest useful subnets: a hub plus at least one satellite. */
const MAX_PREFIX: Record<IpFamily, number> = { 4: 30, 6: 126 };
const MIN_PREFIX: Record<IpFamily, number> = { 4: 8, 6: 48 };

/**
 * Parses and checks a tunnel subnet. The address part must be the network
 * address itself: "10.77.0.5/24" is refused with the intended form suggested,
 * because silently masking it hides a typo.
 */
export function parseTunnelSubnet(text: string): TunnelSubnet {
  const cidr: Cidr = parseCidr(text, 'tunnel subnet');
  const { family } = cidr.address;
  const { prefix } = cidr;
  if (prefix > MAX_PREFIX[family] || prefix < MIN_PREFIX[family]) {
    throw new UsmError(
      'E_ADDRESSING',
      `tunnel subnet "${text}": prefix /${prefix} is outside /${MIN_PREFIX[family]}-/${MAX_PREFIX[family]} for IPv${family}`,
    );
  }
  const network = cidr.address.value & prefixMask(family, prefix);
  if (network !== cidr.address.value) {
    const suggestion = `${ipFromValue(family, network).text}/${prefix}`;
    throw new UsmError('E_ADDRESSING', `tunnel subnet "${text}" is not a network address (did you mean ${suggestion}?)`);
  }
  const size = 1n << BigInt(familyBits(family) - prefix);
  // IPv4 loses the broadcast address; IPv6 has none (offset 0, the subnet-router anycast, is skipped in both).
  const lastHostOffset = family === 4 ? size - 2n : size - 1n;
  return {
    family,
    prefix,
    network,
    cidr: cidr.text,
    hubAddress: ipFromValue(family, network + 1n),
    firstSatelliteOffset: 2n,
    lastHostOffset,
    satelliteCapacity: lastHostOffset - 1n,
  };
}

/** The address at `offset` from the network address. */
export function addressAtOffset(subnet: TunnelSubnet, offset: bigint): IpAddress {
  return ipFromValue(subnet.family, subnet.network + offset);
}

/** Offset of `address` inside the subnet; throws when it lies outside or is not a host address. */
export function offsetOfAddress(subnet: TunnelSubnet, addressText: string, what = 'address'): bigint {
  const address = parseIpAddress(addressText, what);
  if (address.family !== subnet.family) {
    throw new UsmError('E_ADDRESSING', `${what} ${address.text} is IPv${address.family} but tunnel subnet ${subnet.cidr} is IPv${subnet.family}`);
  }
  const offset = address.value - subnet.network;
  if (offset < 1n || offset > subnet.lastHostOffset) {
    throw new UsmError('E_ADDRESSING', `${what} ${address.text} is not a host address in tunnel subnet ${subnet.cidr}`);
  }
  return offset;
}

/** Hub address with the subnet prefix (the hub's wg-quick Address, so the kernel routes the whole subnet). */
export function hubInterfaceAddress(subnet: TunnelSubnet): string {
  return `${subnet.hubAddress.text}/${subnet.prefix}`;
}
