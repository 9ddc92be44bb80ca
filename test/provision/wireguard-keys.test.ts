import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execa } from 'execa';
import {
  assertWireguardKey,
  derivePublicKey,
  generateKeyPair,
  generatePresharedKey,
  isWireguardKey,
} from '../../provision/lib/wireguard/wg-keys.js';
import { isUsmError } from '../../common/usm-error.js';

// Secrets go to wg on stdin, never argv (argv is visible in /proc to every user).
async function wg(args: string[], input?: string): Promise<string> {
  const result = await execa('wg', args, { input, timeout: 10_000 });
  return result.stdout.trim();
}

function seeded(seed: string) {
  let counter = 0;
  return (size: number) => createHash('sha256').update(`${seed}:${counter++}`).digest().subarray(0, size);
}

test('public keys derived with node:crypto equal `wg pubkey` for node-generated keys', async () => {
  for (let index = 0; index < 5; index += 1) {
    const pair = generateKeyPair();
    assert.equal(await wg(['pubkey'], `${pair.privateKey}\n`), pair.publicKey);
    assert.equal(derivePublicKey(pair.privateKey), pair.publicKey);
  }
});

test('derivePublicKey matches `wg pubkey` for keys made by `wg genkey`', async () => {
  for (let index = 0; index < 5; index += 1) {
    const privateKey = await wg(['genkey']);
    assert.equal(derivePublicKey(privateKey), await wg(['pubkey'], `${privateKey}\n`));
  }
});

test('injected randomness gives deterministic, clamped keys that wg agrees with', async () => {
  const first = generateKeyPair({ randomBytes: seeded('a') });
  const again = generateKeyPair({ randomBytes: seeded('a') });
  const other = generateKeyPair({ randomBytes: seeded('b') });
  assert.deepEqual(first, again);
  assert.notEqual(first.privateKey, other.privateKey);
  const raw = Buffer.from(first.privateKey, 'base64');
  assert.equal((raw[0] ?? 0) & 7, 0);
  assert.equal((raw[31] ?? 0) & 0xc0, 0x40);
  assert.equal(await wg(['pubkey'], `${first.privateKey}\n`), first.publicKey);
});

test('node-generated private keys are clamped like wg genkey output', () => {
  for (let index = 0; index < 20; index += 1) {
    const raw = Buffer.from(generateKeyPair().privateKey, 'base64');
    assert.equal((raw[0] ?? 0) & 7, 0);
    assert.equal((raw[31] ?? 0) & 0xc0, 0x40);
  }
});

test('preshared keys are 32 random bytes in base64, distinct, and accepted by wg', async () => {
  const keys = new Set(Array.from({ length: 50 }, () => generatePresharedKey()));
  assert.equal(keys.size, 50);
  for (const key of keys) assert.ok(isWireguardKey(key), key);
  assert.equal(generatePresharedKey({ randomBytes: seeded('p') }), generatePresharedKey({ randomBytes: seeded('p') }));
  // `wg pubkey` parses any 32-byte key; it rejects malformed ones, so this checks the encoding end to end.
  const [first] = keys;
  assert.ok(first !== undefined);
  assert.equal((await wg(['pubkey'], `${first}\n`)).length, 44);
});

test('key validation accepts canonical keys and rejects everything else', () => {
  const good = generateKeyPair().publicKey;
  assert.ok(isWireguardKey(good));
  for (const bad of [
    '',
    good.slice(0, 43),
    `${good}=`,
    good.replace(/=$/, 'A'),
    `${good.slice(0, 42)}B=`, // non-canonical: unused low bits set
    'A'.repeat(44),
    Buffer.alloc(31).toString('base64'),
    Buffer.alloc(33).toString('base64'),
    good.replace(/^./, '-'),
    ` ${good.slice(1)}`,
  ]) {
    assert.equal(isWireguardKey(bad), false, bad);
  }
  assert.throws(
    () => assertWireguardKey('nope', 'core public key'),
    (error) => isUsmError(error) && error.code === 'E_WIREGUARD' && error.message.startsWith('core public key') && !error.message.includes('nope'),
  );
  assert.throws(() => derivePublicKey('short'), /private key is not a WireGuard key/);
});

test('a wrong-sized random source is refused', () => {
  assert.throws(() => generateKeyPair({ randomBytes: () => new Uint8Array(16) }), /16 bytes, expected 32/);
});
