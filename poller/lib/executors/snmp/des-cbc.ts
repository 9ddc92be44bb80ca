/**
 * DES-CBC (FIPS 46-3) in plain TypeScript, for SNMPv3 USM privacy when
 * OpenSSL 3 has no `des-cbc` (see des-fallback.ts). Bit-array form: slow by
 * cipher standards (~microseconds per block) but SNMP PDUs are small, and
 * clarity beats speed for a fallback. No padding: callers pad to 8 bytes.
 */

const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8,
  57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
const E = [
  32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17,
  16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26, 27, 28, 29, 28, 29, 30, 31, 32, 1,
];
const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25];
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
  63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2,
  41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
const S = [
  [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8,
    4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
  [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5,
    0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
  [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1,
    13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
  [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9,
    10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
  [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6,
    4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
  [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8,
    9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
  [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6,
    1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
  [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2,
    7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
];
// The final permutation is the inverse of IP.
const FP = (() => {
  const fp = new Array<number>(64);
  IP.forEach((from, to) => {
    fp[from - 1] = to + 1;
  });
  return fp;
})();

type Bits = Uint8Array;

function toBits(bytes: Uint8Array): Bits {
  const bits = new Uint8Array(bytes.length * 8);
  for (let i = 0; i < bits.length; i++) bits[i] = (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
  return bits;
}

function fromBits(bits: Bits): Buffer {
  const bytes = Buffer.alloc(bits.length / 8);
  for (let i = 0; i < bits.length; i++) bytes[i >> 3]! |= bits[i]! << (7 - (i & 7));
  return bytes;
}

function permute(input: Bits, table: readonly number[]): Bits {
  const out = new Uint8Array(table.length);
  for (let i = 0; i < table.length; i++) out[i] = input[table[i]! - 1]!;
  return out;
}

function subkeys(key: Uint8Array): Bits[] {
  const cd = permute(toBits(key), PC1);
  let c = Array.from(cd.subarray(0, 28));
  let d = Array.from(cd.subarray(28));
  return SHIFTS.map((shift) => {
    c = [...c.slice(shift), ...c.slice(0, shift)];
    d = [...d.slice(shift), ...d.slice(0, shift)];
    return permute(Uint8Array.from([...c, ...d]), PC2);
  });
}

function feistel(right: Bits, subkey: Bits): Bits {
  const x = permute(right, E);
  for (let i = 0; i < 48; i++) x[i]! ^= subkey[i]!;
  const out = new Uint8Array(32);
  for (let box = 0; box < 8; box++) {
    const b = x.subarray(box * 6, box * 6 + 6);
    const row = (b[0]! << 1) | b[5]!;
    const col = (b[1]! << 3) | (b[2]! << 2) | (b[3]! << 1) | b[4]!;
    const value = S[box]![row * 16 + col]!;
    for (let j = 0; j < 4; j++) out[box * 4 + j] = (value >> (3 - j)) & 1;
  }
  return permute(out, P);
}

function cryptBlock(block: Uint8Array, keys: readonly Bits[]): Buffer {
  const bits = permute(toBits(block), IP);
  let left = bits.slice(0, 32);
  let right = bits.slice(32);
  for (const key of keys) {
    const f = feistel(right, key);
    const next = new Uint8Array(32);
    for (let i = 0; i < 32; i++) next[i] = left[i]! ^ f[i]!;
    left = right;
    right = next;
  }
  const preOutput = new Uint8Array(64);
  preOutput.set(right, 0);
  preOutput.set(left, 32);
  return fromBits(permute(preOutput, FP));
}

function checkSizes(key: Uint8Array, iv: Uint8Array, data: Uint8Array): void {
  if (key.length !== 8 || iv.length !== 8) throw new Error('DES needs an 8-byte key and IV');
  if (data.length % 8 !== 0) throw new Error('DES data must be a multiple of 8 bytes');
}

export function encryptDesCbc(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array): Buffer {
  checkSizes(key, iv, plaintext);
  const keys = subkeys(key);
  const out = Buffer.alloc(plaintext.length);
  let prev: Uint8Array = iv;
  for (let offset = 0; offset < plaintext.length; offset += 8) {
    const block = new Uint8Array(8);
    for (let i = 0; i < 8; i++) block[i] = plaintext[offset + i]! ^ prev[i]!;
    prev = cryptBlock(block, keys);
    out.set(prev, offset);
  }
  return out;
}

export function decryptDesCbc(key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Buffer {
  checkSizes(key, iv, ciphertext);
  const keys = subkeys(key).reverse();
  const out = Buffer.alloc(ciphertext.length);
  let prev: Uint8Array = iv;
  for (let offset = 0; offset < ciphertext.length; offset += 8) {
    const block = ciphertext.subarray(offset, offset + 8);
    const plain = cryptBlock(block, keys);
    for (let i = 0; i < 8; i++) out[offset + i] = plain[i]! ^ prev[i]!;
    prev = block;
  }
  return out;
}
