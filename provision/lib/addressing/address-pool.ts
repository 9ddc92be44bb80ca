import { UsmError } from '../../../common/usm-error.js';
import { addressAtOffset, offsetOfAddress, type TunnelSubnet } from './tunnel-subnet.js';

/** One satellite's tunnel address (canonical text, no prefix). */
export interface AddressAllocation {
  readonly satelliteId: string;
  readonly address: string;
}

/**
 * The allocator's whole state, kept by the caller (e.g. in the core's state
 * file). `retired` holds addresses of removed satellites: they stay out of use
 * so that a stale peer config or firewall rule never points at a new satellite.
 */
export interface AddressPool {
  readonly allocated: readonly AddressAllocation[];
  readonly retired: readonly string[];
}

export interface AllocateOptions {
  /** Treat retired addresses as free again (the lowest free address still wins). */
  readonly allowReuse?: boolean;
}

export function createAddressPool(): AddressPool {
  return { allocated: [], retired: [] };
}

/** The address held by a satellite, if any. */
export function findSatelliteAddress(pool: AddressPool, satelliteId: string): string | undefined {
  return pool.allocated.find((entry) => entry.satelliteId === satelliteId)?.address;
}

/** Allocates one address; see allocateSatelliteAddresses. */
export function allocateSatelliteAddress(
  subnet: TunnelSubnet,
  pool: AddressPool,
  satelliteId: string,
  options: AllocateOptions = {},
): { address: string; pool: AddressPool } {
  const result = allocateSatelliteAddresses(subnet, pool, [satelliteId], options);
  const [first] = result.allocations;
  if (first === undefined) throw new Error('unreachable: one id gives one allocation');
  return { address: first.address, pool: result.pool };
}

/**
 * Allocates the lowest free address for each id, in order. Pure: returns a
 * new pool. One pass with a Set and a moving cursor, so 1,000+ satellites cost
 * O(n) lookups instead of rescanning the list per satellite.
 */
export function allocateSatelliteAddresses(
  subnet: TunnelSubnet,
  pool: AddressPool,
  satelliteIds: readonly string[],
  options: AllocateOptions = {},
): { allocations: AddressAllocation[]; pool: AddressPool } {
  const { takenOffsets, retiredOffsets, ids } = indexPool(subnet, pool);
  const blocked = new Set<bigint>(takenOffsets);
  if (!options.allowReuse) for (const offset of retiredOffsets.keys()) blocked.add(offset);
  const retired = new Map(retiredOffsets);
  const allocations: AddressAllocation[] = [];
  let cursor = subnet.firstSatelliteOffset;
  for (const satelliteId of satelliteIds) {
    if (ids.has(satelliteId)) {
      throw new UsmError('E_ADDRESSING', `satellite ${satelliteId} already has tunnel address ${findAddress(pool, allocations, satelliteId)}`);
    }
    while (cursor <= subnet.lastHostOffset && blocked.has(cursor)) cursor += 1n;
    if (cursor > subnet.lastHostOffset) throw subnetFull(subnet, blocked.size, retiredOffsets.size, options);
    const address = addressAtOffset(subnet, cursor).text;
    blocked.add(cursor);
    retired.delete(cursor);
    ids.add(satelliteId);
    allocations.push({ satelliteId, address });
  }
  return {
    allocations,
    pool: { allocated: [...pool.allocated, ...allocations], retired: [...retired.values()] },
  };
}

/** Moves a satellite's address to `retired`; throws when the satellite has none. */
export function releaseSatelliteAddress(pool: AddressPool, satelliteId: string): AddressPool {
  const entry = pool.allocated.find((item) => item.satelliteId === satelliteId);
  if (entry === undefined) throw new UsmError('E_ADDRESSING', `satellite ${satelliteId} has no tunnel address`);
  return {
    allocated: pool.allocated.filter((item) => item !== entry),
    retired: pool.retired.includes(entry.address) ? pool.retired : [...pool.retired, entry.address],
  };
}

/**
 * Checks the stored pool against the subnet (a hand-edited or stale state
 * file must fail loudly, not hand out a duplicate address).
 */
function indexPool(subnet: TunnelSubnet, pool: AddressPool) {
  const takenOffsets = new Set<bigint>();
  const ids = new Set<string>();
  for (const [index, entry] of pool.allocated.entries()) {
    const what = `allocated[${index}] (satellite ${entry.satelliteId})`;
    const offset = offsetOfAddress(subnet, entry.address, what);
    if (offset < subnet.firstSatelliteOffset) {
      throw new UsmError('E_ADDRESSING', `${what}: ${entry.address} is the hub address of ${subnet.cidr}`);
    }
    if (takenOffsets.has(offset)) throw new UsmError('E_ADDRESSING', `${what}: ${entry.address} is allocated twice`);
    if (ids.has(entry.satelliteId)) throw new UsmError('E_ADDRESSING', `${what}: satellite id listed twice`);
    takenOffsets.add(offset);
    ids.add(entry.satelliteId);
  }
  // Keyed by offset so reuse can drop an entry; values keep the canonical text.
  const retiredOffsets = new Map<bigint, string>();
  for (const [index, address] of pool.retired.entries()) {
    const offset = offsetOfAddress(subnet, address, `retired[${index}]`);
    if (!takenOffsets.has(offset)) retiredOffsets.set(offset, addressAtOffset(subnet, offset).text);
  }
  return { takenOffsets, retiredOffsets, ids };
}

function findAddress(pool: AddressPool, fresh: readonly AddressAllocation[], satelliteId: string): string {
  return (findSatelliteAddress(pool, satelliteId) ?? fresh.find((entry) => entry.satelliteId === satelliteId)?.address) ?? '?';
}

function subnetFull(subnet: TunnelSubnet, blocked: number, retired: number, options: AllocateOptions): UsmError {
  const hints = [subnet.family === 4 ? 'use a larger subnet (a /22 holds 1,021 satellites)' : 'use a larger subnet'];
  if (!options.allowReuse && retired > 0) hints.push(`or allow reuse of the ${retired} retired address(es)`);
  return new UsmError(
    'E_ADDRESSING',
    `tunnel subnet ${subnet.cidr} is full: ${subnet.satelliteCapacity} satellite address(es), ${blocked} in use or retired; ${hints.join(' ')}`,
  );
}
