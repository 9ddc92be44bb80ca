import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUsmError } from '../../common/usm-error.js';
import { parseCidr } from '../../provision/lib/addressing/cidr.js';
import { parseIpAddress } from '../../provision/lib/addressing/ip-address.js';
import { DEFAULT_TUNNEL_SUBNET, hubInterfaceAddress, offsetOfAddress, parseTunnelSubnet } from '../../provision/lib/addressing/tunnel-subnet.js';
import {
  allocateSatelliteAddress,
  allocateSatelliteAddresses,
  createAddressPool,
  findSatelliteAddress,
  releaseSatelliteAddress,
  type AddressPool,
} from '../../provision/lib/addressing/address-pool.js';

function addressingError(pattern: RegExp) {
  return (error: unknown) => isUsmError(error) && error.code === 'E_ADDRESSING' && pattern.test(error.message);
}

test('the default IPv4 subnet: hub takes .1, satellites from .2, capacity 253', () => {
  const subnet = parseTunnelSubnet(DEFAULT_TUNNEL_SUBNET);
  assert.equal(subnet.cidr, '10.77.0.0/24');
  assert.equal(subnet.hubAddress.text, '10.77.0.1');
  assert.equal(hubInterfaceAddress(subnet), '10.77.0.1/24');
  assert.equal(subnet.satelliteCapacity, 253n);
  let pool = createAddressPool();
  const first = allocateSatelliteAddress(subnet, pool, '7');
  assert.equal(first.address, '10.77.0.2');
  pool = first.pool;
  assert.equal(allocateSatelliteAddress(subnet, pool, '8').address, '10.77.0.3');
  assert.equal(findSatelliteAddress(pool, '7'), '10.77.0.2');
  assert.equal(findSatelliteAddress(pool, '8'), undefined, 'pure: the earlier pool is unchanged');
});

test('IPv6 ULA /64: hub ::1, satellites ::2 onwards, canonical RFC 5952 text', () => {
  const subnet = parseTunnelSubnet('FD77:0077:0000::/64');
  assert.equal(subnet.cidr, 'fd77:77::/64');
  assert.equal(subnet.hubAddress.text, 'fd77:77::1');
  assert.equal(hubInterfaceAddress(subnet), 'fd77:77::1/64');
  assert.equal(subnet.satelliteCapacity, 2n ** 64n - 2n);
  const { allocations } = allocateSatelliteAddresses(subnet, createAddressPool(), ['a', 'b', 'c']);
  assert.deepEqual(allocations.map((item) => item.address), ['fd77:77::2', 'fd77:77::3', 'fd77:77::4']);
  const top = parseTunnelSubnet('fd00::/120');
  assert.equal(top.lastHostOffset, 255n, 'IPv6 has no broadcast address');
});

test('a removed satellite address is retired, not reused, unless allowReuse', () => {
  const subnet = parseTunnelSubnet('10.77.0.0/24');
  let { pool } = allocateSatelliteAddresses(subnet, createAddressPool(), ['1', '2', '3']);
  pool = releaseSatelliteAddress(pool, '2');
  assert.deepEqual(pool.retired, ['10.77.0.3']);
  assert.equal(findSatelliteAddress(pool, '2'), undefined);
  const next = allocateSatelliteAddress(subnet, pool, '4');
  assert.equal(next.address, '10.77.0.5');
  const reused = allocateSatelliteAddress(subnet, pool, '4', { allowReuse: true });
  assert.equal(reused.address, '10.77.0.3');
  assert.deepEqual(reused.pool.retired, [], 'a reused address leaves the retired list');
  // Re-adding a removed id gets a fresh address too.
  assert.equal(allocateSatelliteAddress(subnet, pool, '2').address, '10.77.0.5');
});

test('a full subnet is an error naming the subnet, with hints', () => {
  const subnet = parseTunnelSubnet('10.77.0.0/29'); // hosts .1-.6: hub + 5 satellites
  assert.equal(subnet.satelliteCapacity, 5n);
  let { pool } = allocateSatelliteAddresses(subnet, createAddressPool(), ['1', '2', '3', '4', '5']);
  assert.equal(pool.allocated.at(-1)?.address, '10.77.0.6');
  assert.throws(() => allocateSatelliteAddress(subnet, pool, '6'), addressingError(/tunnel subnet 10\.77\.0\.0\/29 is full.*larger subnet/));
  pool = releaseSatelliteAddress(pool, '3');
  assert.throws(() => allocateSatelliteAddress(subnet, pool, '6'), addressingError(/allow reuse of the 1 retired address/));
  assert.equal(allocateSatelliteAddress(subnet, pool, '6', { allowReuse: true }).address, '10.77.0.4');
});

test('more than 250 satellites need a /22: 1,021 fit, the 1,022nd does not', () => {
  const small = parseTunnelSubnet('10.77.0.0/24');
  const ids = Array.from({ length: 1021 }, (_, index) => String(index + 1));
  assert.throws(() => allocateSatelliteAddresses(small, createAddressPool(), ids), addressingError(/10\.77\.0\.0\/24 is full.*\/22/));
  const large = parseTunnelSubnet('10.77.0.0/22');
  const { allocations, pool } = allocateSatelliteAddresses(large, createAddressPool(), ids);
  assert.equal(allocations.length, 1021);
  assert.equal(new Set(allocations.map((item) => item.address)).size, 1021);
  assert.equal(allocations[253]?.address, '10.77.0.255', 'crosses the .255/.0 octet boundaries: only the /22 edges are reserved');
  assert.equal(allocations[254]?.address, '10.77.1.0');
  assert.equal(allocations.at(-1)?.address, '10.77.3.254');
  assert.throws(() => allocateSatelliteAddress(large, pool, 'one-more'), addressingError(/10\.77\.0\.0\/22 is full/));
});

test('allocating one at a time over a large pool gives the same result as in bulk', () => {
  const subnet = parseTunnelSubnet('10.77.0.0/21');
  let pool: AddressPool = createAddressPool();
  for (let index = 0; index < 1200; index += 1) pool = allocateSatelliteAddress(subnet, pool, `s${index}`).pool;
  const bulk = allocateSatelliteAddresses(subnet, createAddressPool(), Array.from({ length: 1200 }, (_, index) => `s${index}`)).pool;
  assert.deepEqual(pool, bulk);
});

test('the allocator refuses a duplicate id and a corrupt stored pool', () => {
  const subnet = parseTunnelSubnet('10.77.0.0/24');
  const { pool } = allocateSatelliteAddresses(subnet, createAddressPool(), ['7']);
  assert.throws(() => allocateSatelliteAddress(subnet, pool, '7'), addressingError(/satellite 7 already has tunnel address 10\.77\.0\.2/));
  assert.throws(() => allocateSatelliteAddresses(subnet, createAddressPool(), ['x', 'x']), addressingError(/satellite x already has tunnel address 10\.77\.0\.2/));
  const corrupt: Array<[AddressPool, RegExp]> = [
    [{ allocated: [{ satelliteId: 'a', address: '10.78.0.2' }], retired: [] }, /allocated\[0\] \(satellite a\) 10\.78\.0\.2 is not a host address in tunnel subnet 10\.77\.0\.0\/24/],
    [{ allocated: [{ satelliteId: 'a', address: '10.77.0.1' }], retired: [] }, /is the hub address/],
    [{ allocated: [{ satelliteId: 'a', address: '10.77.0.255' }], retired: [] }, /not a host address/],
    [{ allocated: [{ satelliteId: 'a', address: '10.77.0.2' }, { satelliteId: 'b', address: '10.77.0.2' }], retired: [] }, /allocated\[1\].*allocated twice/],
    [{ allocated: [{ satelliteId: 'a', address: '10.77.0.2' }, { satelliteId: 'a', address: '10.77.0.3' }], retired: [] }, /satellite id listed twice/],
    [{ allocated: [], retired: ['fd00::1'] }, /retired\[0\] fd00::1 is IPv6 but tunnel subnet 10\.77\.0\.0\/24 is IPv4/],
    [{ allocated: [{ satelliteId: 'a', address: 'nonsense' }], retired: [] }, /"nonsense" is not a valid IPv4 or IPv6 address/],
  ];
  for (const [state, pattern] of corrupt) assert.throws(() => allocateSatelliteAddress(subnet, state, 'new'), addressingError(pattern));
  assert.throws(() => releaseSatelliteAddress(pool, 'nobody'), addressingError(/satellite nobody has no tunnel address/));
});

test('tunnel subnets are parsed strictly with clear errors', () => {
  const cases: Array<[string, RegExp]> = [
    ['10.77.0.0', /has no prefix length/],
    ['10.77.0.5/24', /not a network address \(did you mean 10\.77\.0\.0\/24\?\)/],
    ['10.77.0.0/31', /prefix \/31 is outside \/8-\/30 for IPv4/],
    ['10.0.0.0/7', /outside \/8-\/30/],
    ['10.77.0.0/33', /invalid prefix length \(0-32 for IPv4\)/],
    ['10.77.0.0/2x', /invalid prefix length/],
    ['10.77/24', /"10\.77\/24" is not a valid IPv4 or IPv6 address/],
    ['0x0a.0.0.0/24', /not a valid IPv4 or IPv6 address/],
    ['fd00::/127', /outside \/48-\/126 for IPv6/],
    ['fd00::/32', /outside \/48-\/126/],
    ['fd00::1/64', /did you mean fd00::\/64/],
    ['fe80::%eth0/64', /not a valid IPv4 or IPv6 address/],
    ['', /has no prefix length/],
  ];
  for (const [text, pattern] of cases) assert.throws(() => parseTunnelSubnet(text), addressingError(pattern), text);
});

test('addresses and CIDRs: canonical text, host prefixes, offsets', () => {
  assert.equal(parseIpAddress(' 10.0.0.1 ').text, '10.0.0.1');
  assert.equal(parseIpAddress('FD00:0:0:0::0001').text, 'fd00::1');
  assert.equal(parseCidr('10.1.2.3', 'x', { defaultHostPrefix: true }).text, '10.1.2.3/32');
  assert.equal(parseCidr('fd00::1', 'x', { defaultHostPrefix: true }).text, 'fd00::1/128');
  assert.equal(parseCidr('10.1.2.3/32').prefix, 32);
  const subnet = parseTunnelSubnet('10.77.0.0/24');
  assert.equal(offsetOfAddress(subnet, '10.77.0.9'), 9n);
  assert.throws(() => offsetOfAddress(subnet, '10.77.0.0'), addressingError(/not a host address/));
});
