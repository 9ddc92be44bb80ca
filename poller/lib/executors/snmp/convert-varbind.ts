/**
 * Pure conversion of a varbind as decoded by net-snmp (numeric ASN.1 type,
 * Buffer / number / string value) into the result form of job-protocol.md.
 * No net-snmp import: the type numbers are the ASN.1/SMI tags themselves.
 */

export interface ResultVarbind {
  oid: string;
  type: string;
  value: string | number | boolean | null;
  /** Present for OctetString (always) and other byte-valued types. */
  hex?: string;
}

export interface DecodedVarbind {
  oid: string;
  type?: number | undefined;
  value?: unknown;
}

export const TAG = {
  Boolean: 1,
  Integer: 2,
  BitString: 3,
  OctetString: 4,
  Null: 5,
  ObjectIdentifier: 6,
  IpAddress: 64,
  Counter32: 65,
  Gauge32: 66,
  TimeTicks: 67,
  Opaque: 68,
  Counter64: 70,
  noSuchObject: 128,
  noSuchInstance: 129,
  endOfMibView: 130,
} as const;

const NAME_BY_TAG = new Map<number, string>(Object.entries(TAG).map(([name, tag]) => [tag, name]));

// ignoreBOM keeps a leading BOM in the text instead of silently dropping bytes the device sent.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Printable: valid UTF-8 without control characters other than tab, CR and
 * LF (C0, DEL and C1 are out). A trailing NUL makes a string binary too: the
 * bytes are in `hex` either way, and guessing would hide what the device sent.
 */
const NON_PRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

export function describeOctets(bytes: Uint8Array): { value: string | null; hex: string } {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  let text: string | null;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { value: null, hex };
  }
  return { value: NON_PRINTABLE.test(text) ? null : text, hex };
}

/** Counter64 arrives as big-endian bytes (possibly with a leading 0x00); JSON numbers cannot hold it. */
export function decodeUnsigned(bytes: Uint8Array): string {
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  return n.toString(10);
}

/** Inverse of decodeUnsigned for SET: minimal BER content octets of a non-negative integer. */
export function encodeUnsigned(decimal: string): Buffer {
  let n = BigInt(decimal);
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  } while (n > 0n);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return Buffer.from(bytes);
}

function asBytes(value: unknown): Uint8Array | null {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return null;
}

export function convertVarbind(raw: DecodedVarbind): ResultVarbind {
  const oid = raw.oid;
  const tag = raw.type ?? TAG.Null;
  const value = raw.value;
  switch (tag) {
    case TAG.Integer:
    case TAG.Counter32:
    case TAG.Gauge32:
    case TAG.TimeTicks:
      return { oid, type: NAME_BY_TAG.get(tag)!, value: typeof value === 'number' ? value : Number(value) };
    case TAG.Counter64: {
      const bytes = asBytes(value);
      return { oid, type: 'Counter64', value: bytes ? decodeUnsigned(bytes) : String(value) };
    }
    case TAG.OctetString: {
      const bytes = asBytes(value) ?? new Uint8Array(0);
      const { value: text, hex } = describeOctets(bytes);
      return { oid, type: 'OctetString', value: text, hex };
    }
    case TAG.Opaque:
    case TAG.BitString: {
      const bytes = asBytes(value);
      return { oid, type: NAME_BY_TAG.get(tag)!, value: null, hex: bytes ? Buffer.from(bytes).toString('hex') : '' };
    }
    case TAG.ObjectIdentifier:
    case TAG.IpAddress:
      return { oid, type: NAME_BY_TAG.get(tag)!, value: String(value) };
    case TAG.Boolean:
      return { oid, type: 'Boolean', value: Boolean(value) };
    case TAG.Null:
    case TAG.noSuchObject:
    case TAG.noSuchInstance:
    case TAG.endOfMibView:
      return { oid, type: NAME_BY_TAG.get(tag)!, value: null };
    default:
      return { oid, type: `Unknown(${tag})`, value: null };
  }
}

export function convertVarbinds(raw: readonly DecodedVarbind[]): ResultVarbind[] {
  const out = new Array<ResultVarbind>(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = convertVarbind(raw[i]!);
  return out;
}
