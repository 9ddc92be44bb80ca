import { createPrivateKey, createPublicKey, randomBytes as cryptoRandomBytes } from 'node:crypto';
import { UsmError } from '../../../common/usm-error.js';

/** A WireGuard key pair, both halves as 44-character base64 (what `wg genkey | wg pubkey` prints). */
export interface WgKeyPair {
  readonly privateKey: string;
  readonly publicKey: string;
}

/** Source of random bytes; tests inject a seeded one, real use keeps node:crypto. */
export type RandomBytes = (size: number) => Uint8Array;

export interface KeyOptions {
  readonly randomBytes?: RandomBytes;
}

const KEY_BYTES = 32;
const KEY_PATTERN = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
// PKCS#8 wrapping of a raw X25519 private key (RFC 8410): node:crypto imports
// raw keys only through DER or JWK, and DER needs no base64url juggling.
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/**
 * True for a canonical WireGuard key: 44 base64 characters decoding to 32
 * bytes. The last-character class rejects non-canonical encodings whose
 * unused low bits are set, which `wg` would silently normalise.
 */
export function isWireguardKey(value: string): boolean {
  return KEY_PATTERN.test(value) && Buffer.from(value, 'base64').length === KEY_BYTES;
}

/** Throws E_WIREGUARD naming `what` unless the value is a valid key. Never echoes the value: it may be a secret. */
export function assertWireguardKey(value: string, what = 'key'): void {
  if (!isWireguardKey(value)) {
    throw new UsmError('E_WIREGUARD', `${what} is not a WireGuard key (expected 44 base64 characters encoding 32 bytes)`);
  }
}

/**
 * A new key pair: 32 random bytes from node:crypto, clamped like `wg genkey`, and the X25519
 * public key derived from them (as `wg genkey | wg pubkey`). Not generateKeyPairSync + JWK
 * export: on Node 20 exporting an X25519 JWK can deadlock the process when a garbage collection
 * inside the export finalises an earlier key generation job (seen here: a test hung for minutes
 * in ExportJWKEdKey -> GC -> ~KeyGenJob, both waiting on the same key mutex).
 */
export function generateKeyPair(options: KeyOptions = {}): WgKeyPair {
  const source = options.randomBytes ?? ((size: number) => cryptoRandomBytes(size));
  const privateKey = encodeClamped(takeBytes(source, KEY_BYTES));
  return { privateKey, publicKey: derivePublicKey(privateKey) };
}

// SubjectPublicKeyInfo of an X25519 key (RFC 8410) ends with the 32 raw key bytes.
const SPKI_X25519_LENGTH = 44;

/** The public key for a base64 private key (what `wg pubkey` prints for it). */
export function derivePublicKey(privateKeyB64: string): string {
  assertWireguardKey(privateKeyB64, 'private key');
  const der = Buffer.concat([PKCS8_X25519_PREFIX, Buffer.from(privateKeyB64, 'base64')]);
  const spki = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' });
  if (spki.length !== SPKI_X25519_LENGTH) throw new Error(`node:crypto returned a ${spki.length}-byte X25519 SubjectPublicKeyInfo`);
  return spki.subarray(SPKI_X25519_LENGTH - KEY_BYTES).toString('base64');
}

/** A preshared key: 32 random bytes, base64 (what `wg genpsk` prints). */
export function generatePresharedKey(options: KeyOptions = {}): string {
  const source = options.randomBytes ?? ((size: number) => cryptoRandomBytes(size));
  return Buffer.from(takeBytes(source, KEY_BYTES)).toString('base64');
}

function takeBytes(source: RandomBytes, size: number): Uint8Array {
  const bytes = source(size);
  if (bytes.length !== size) throw new Error(`randomBytes returned ${bytes.length} bytes, expected ${size}`);
  return bytes;
}

/** Curve25519 clamping (RFC 7748 section 5), as in wireguard-tools' genkey. */
function encodeClamped(raw: Uint8Array): string {
  const key = Buffer.from(raw);
  key[0] = (key[0] ?? 0) & 248;
  key[31] = ((key[31] ?? 0) & 127) | 64;
  return key.toString('base64');
}
