import ipaddr from 'ipaddr.js';
import { UsmError } from '../../../common/usm-error.js';

export type IpFamily = 4 | 6;

/** One parsed IP address: family, its value as an integer (for offset math) and canonical text. */
export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
  /** Canonical text: dotted quad, or RFC 5952 compressed IPv6. */
  readonly text: string;
}

/** Bits in an address of the family. */
export function familyBits(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

/**
 * Parses a plain IP address (no prefix). IPv4 must be four-part decimal:
 * ipaddr.js also accepts forms like "10.1" or "0x0a.0.0.1" that nobody means
 * in a config file, and those would render back as something else.
 */
export function parseIpAddress(text: string, what = 'address'): IpAddress {
  const trimmed = text.trim();
  if (ipaddr.IPv4.isValidFourPartDecimal(trimmed)) {
    return fromBytes(4, ipaddr.IPv4.parse(trimmed).toByteArray());
  }
  if (ipaddr.IPv6.isValid(trimmed) && !trimmed.includes('%')) {
    return fromBytes(6, ipaddr.IPv6.parse(trimmed).toByteArray());
  }
  throw new UsmError('E_ADDRESSING', `${what} "${text}" is not a valid IPv4 or IPv6 address`);
}

/** True when `text` parses with parseIpAddress. */
export function isIpAddress(text: string): boolean {
  try {
    parseIpAddress(text);
    return true;
  } catch {
    return false;
  }
}

/** Builds an address of the family from its integer value. */
export function ipFromValue(family: IpFamily, value: bigint): IpAddress {
  const byteCount = familyBits(family) / 8;
  const bytes: number[] = new Array<number>(byteCount);
  let rest = value;
  for (let index = byteCount - 1; index >= 0; index -= 1) {
    bytes[index] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return fromBytes(family, bytes);
}

function fromBytes(family: IpFamily, bytes: number[]): IpAddress {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  const parsed = ipaddr.fromByteArray(bytes);
  const text = parsed.kind() === 'ipv6' ? (parsed as ipaddr.IPv6).toRFC5952String() : parsed.toString();
  return { family, value, text };
}
