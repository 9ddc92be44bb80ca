import { UsmError } from '../../../common/usm-error.js';
import { familyBits, parseIpAddress, type IpAddress, type IpFamily } from './ip-address.js';

/** An address with a prefix length, e.g. 10.77.0.2/32 or fd00::1/64. */
export interface Cidr {
  readonly address: IpAddress;
  readonly prefix: number;
  /** Canonical text `<address>/<prefix>`. */
  readonly text: string;
}

/** Parses `<address>/<prefix>`; with `defaultHostPrefix`, a bare address gets /32 or /128. */
export function parseCidr(text: string, what = 'CIDR', options: { defaultHostPrefix?: boolean } = {}): Cidr {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  if (slash < 0) {
    if (!options.defaultHostPrefix) {
      throw new UsmError('E_ADDRESSING', `${what} "${text}" has no prefix length (expected e.g. 10.77.0.0/24)`);
    }
    const address = parseIpAddress(trimmed, what);
    return makeCidr(address, familyBits(address.family));
  }
  const address = parseAddressPart(trimmed.slice(0, slash), text, what);
  const prefixText = trimmed.slice(slash + 1);
  const prefix = Number(prefixText);
  const max = familyBits(address.family);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > max) {
    throw new UsmError('E_ADDRESSING', `${what} "${text}" has an invalid prefix length (0-${max} for IPv${address.family})`);
  }
  return makeCidr(address, prefix);
}

/** A host route for the address: /32 for IPv4, /128 for IPv6. */
export function hostCidr(address: IpAddress): Cidr {
  return makeCidr(address, familyBits(address.family));
}

/** Integer mask with the first `prefix` bits set. */
export function prefixMask(family: IpFamily, prefix: number): bigint {
  const bits = BigInt(familyBits(family));
  const all = (1n << bits) - 1n;
  return all ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/** Parses the address before the slash, but names the whole CIDR in the error. */
function parseAddressPart(part: string, whole: string, what: string): IpAddress {
  try {
    return parseIpAddress(part, what);
  } catch {
    throw new UsmError('E_ADDRESSING', `${what} "${whole}" is not a valid IPv4 or IPv6 address`);
  }
}

function makeCidr(address: IpAddress, prefix: number): Cidr {
  return { address, prefix, text: `${address.text}/${prefix}` };
}
