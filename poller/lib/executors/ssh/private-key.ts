import ssh2, { type ParsedKey } from 'ssh2';

/**
 * Private keys arrive in jobs, so their cost is the job sender's choice.
 * An encrypted OpenSSH key (openssh-key-v1) is decrypted with bcrypt_pbkdf,
 * whose round count is written in the key itself; ssh2 runs it synchronously,
 * so a key with 2^32 rounds would block the event loop for ever. The rounds
 * are read from the unencrypted header and capped before anything decrypts.
 */

/** ssh-keygen uses 16 by default (`-a`); 64 is generous and still ~1 s of CPU. */
export const MAX_KDF_ROUNDS = 64;

const OPENSSH_ARMOR = /^-----BEGIN OPENSSH PRIVATE KEY-----\r?\n([\s\S]+?)\r?\n-----END OPENSSH PRIVATE KEY-----$/;
const MAGIC = 'openssh-key-v1\0';

export interface OpenSshKeyHeader {
  cipher: string;
  kdf: string;
  /** bcrypt rounds; null when the KDF has no options (kdf "none"). */
  rounds: number | null;
}

/** The unencrypted header of an openssh-key-v1 key; undefined for other formats or a header too short to read (left to ssh2 to reject). */
export function readOpenSshKeyHeader(text: string): OpenSshKeyHeader | undefined {
  const armored = OPENSSH_ARMOR.exec(text.trim());
  if (!armored) return undefined;
  const data = Buffer.from(armored[1]!, 'base64');
  if (data.length < MAGIC.length || data.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
  let offset = MAGIC.length;
  const readString = (): Buffer | undefined => {
    if (offset + 4 > data.length) return undefined;
    const length = data.readUInt32BE(offset);
    if (offset + 4 + length > data.length) return undefined;
    const value = data.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
    return value;
  };
  const cipher = readString();
  const kdf = readString();
  const options = readString();
  if (!cipher || !kdf || !options) return undefined;
  let rounds: number | null = null;
  if (options.length >= 4) {
    // bcrypt options: string salt, uint32 rounds.
    const saltLength = options.readUInt32BE(0);
    if (4 + saltLength + 4 <= options.length) rounds = options.readUInt32BE(4 + saltLength);
  }
  return { cipher: cipher.toString('latin1'), kdf: kdf.toString('latin1'), rounds };
}

/**
 * The job-validation check: the key's format, never its decryption (that
 * happens once per job, in run). Returns a problem naming the field, or undefined.
 */
export function checkPrivateKey(key: string, passphrase: string | undefined): string | undefined {
  const header = readOpenSshKeyHeader(key);
  if (header && header.kdf !== 'none') {
    if (header.kdf === 'bcrypt' && (header.rounds === null || header.rounds < 1 || header.rounds > MAX_KDF_ROUNDS)) {
      return `params.privateKey: bcrypt KDF rounds ${header.rounds ?? 'missing'} outside 1-${MAX_KDF_ROUNDS} (re-encrypt it with ssh-keygen -p -a 16)`;
    }
    if (passphrase === undefined) return 'params.passphrase: required, params.privateKey is encrypted';
    // Without a passphrase ssh2 checks the cipher and KDF names and stops before deriving the key.
    const probe = ssh2.utils.parseKey(key);
    if (probe instanceof Error && !/no passphrase given/i.test(probe.message)) return `params.privateKey: cannot be used (${probe.message})`;
    return undefined;
  }
  // Unencrypted OpenSSH keys, PEM (MD5-derived key) and PPK v2 (SHA-1) are cheap to parse whole.
  const parsed = decryptPrivateKey(key, passphrase);
  return parsed instanceof Error ? `params.privateKey: cannot be used (${parsed.message})` : undefined;
}

/** Parses and decrypts the key (the costly step for bcrypt keys: call it once per job). */
export function decryptPrivateKey(key: string, passphrase: string | undefined): ParsedKey | Error {
  const header = readOpenSshKeyHeader(key);
  if (header?.kdf === 'bcrypt' && (header.rounds === null || header.rounds < 1 || header.rounds > MAX_KDF_ROUNDS)) {
    return new Error(`bcrypt KDF rounds ${header.rounds ?? 'missing'} outside 1-${MAX_KDF_ROUNDS}`);
  }
  const parsed = ssh2.utils.parseKey(key, passphrase);
  if (parsed instanceof Error) return parsed;
  if (!parsed.isPrivateKey()) return new Error('this is a public key, not a private key');
  return parsed;
}
