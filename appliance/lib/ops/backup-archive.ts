import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { UsmError } from '../../../common/usm-error.js';
import { listZodProblems } from '../../../common/zod-problems.js';

/** One file or directory of the backup, as on the target system (path absolute, without --root). */
export interface BackupEntry {
  path: string;
  type: 'file' | 'dir';
  mode: number;
  uid: number;
  gid: number;
  /** File content (absent for directories). */
  data?: Buffer;
}

export interface BackupContents {
  createdAt: string;
  hostname: string;
  version: string;
  entries: BackupEntry[];
}

export const ARCHIVE_FORMAT = 'usm-appliance-backup';
// OWASP's scrypt floor (N=2^17, r=8, p=1): 128 MiB and about half a second per derivation.
const SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
const MAX_SCRYPT_N = 2 ** 20;
const TAG_BYTES = 16;
const MAX_PAYLOAD_BYTES = 512 * 1024 * 1024;

const headerSchema = z.strictObject({
  format: z.literal(ARCHIVE_FORMAT),
  version: z.literal(1),
  createdAt: z.string(),
  encryption: z
    .strictObject({
      cipher: z.literal('aes-256-gcm'),
      kdf: z.literal('scrypt'),
      // Bounded so a crafted header cannot make restore allocate gigabytes.
      N: z.number().int().min(2 ** 14).max(MAX_SCRYPT_N).refine((n) => (n & (n - 1)) === 0, 'must be a power of two'),
      r: z.number().int().min(1).max(32),
      p: z.number().int().min(1).max(16),
      salt: z.base64().length(24),
      iv: z.base64().length(16),
    })
    .nullable(),
  /** Plain archives only: detects accidental damage (anyone can recompute it, so it is no proof against tampering). */
  payloadSha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});

const payloadSchema = z.strictObject({
  createdAt: z.string(),
  hostname: z.string(),
  version: z.string(),
  entries: z.array(
    z.strictObject({
      path: z.string().regex(/^\/[^\0]*$/, 'must be an absolute path').refine((p) => !p.split('/').includes('..'), 'must not contain ..'),
      type: z.enum(['file', 'dir']),
      mode: z.number().int().min(0).max(0o7777),
      uid: z.number().int().min(0),
      gid: z.number().int().min(0),
      data: z.base64().optional(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    }),
  ),
});

/**
 * Pure (but for randomness): the archive is one JSON header line, then the
 * gzipped JSON payload, encrypted with AES-256-GCM under a scrypt key when a
 * passphrase is given. The header line is the GCM additional data, so a
 * changed header (say, weaker scrypt parameters) fails authentication too.
 */
export function encodeBackup(contents: BackupContents, passphrase?: string): Buffer {
  const payload = gzipSync(Buffer.from(JSON.stringify({
    createdAt: contents.createdAt,
    hostname: contents.hostname,
    version: contents.version,
    entries: contents.entries.map((e) => ({
      path: e.path, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid,
      ...(e.data ? { data: e.data.toString('base64'), sha256: sha256(e.data) } : {}),
    })),
  })));
  if (passphrase === undefined) {
    const header = { format: ARCHIVE_FORMAT, version: 1, createdAt: contents.createdAt, encryption: null, payloadSha256: sha256(payload) };
    return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), payload]);
  }
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const header = {
    format: ARCHIVE_FORMAT, version: 1, createdAt: contents.createdAt,
    encryption: { cipher: 'aes-256-gcm', kdf: 'scrypt', ...SCRYPT, salt: salt.toString('base64'), iv: iv.toString('base64') },
  };
  const headerLine = Buffer.from(`${JSON.stringify(header)}\n`);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(passphrase, salt, SCRYPT), iv);
  cipher.setAAD(headerLine);
  const body = Buffer.concat([cipher.update(payload), cipher.final()]);
  return Buffer.concat([headerLine, body, cipher.getAuthTag()]);
}

/** Whether the archive needs a passphrase (reads the header only). */
export function isEncryptedBackup(archive: Buffer): boolean {
  return readHeader(archive).header.encryption !== null;
}

/** Decrypts, checks and decodes an archive. A wrong passphrase and a changed byte give the same E_BACKUP_AUTH. */
export function decodeBackup(archive: Buffer, passphrase?: string): BackupContents {
  const { header, headerLine } = readHeader(archive);
  const rest = archive.subarray(headerLine.length);
  let payload: Buffer;
  if (header.encryption) {
    if (passphrase === undefined) throw new UsmError('E_BACKUP_PASSPHRASE', 'the archive is encrypted: give --passphrase-file');
    const enc = header.encryption;
    if (rest.length < TAG_BYTES) throw new UsmError('E_BACKUP_FORMAT', 'the archive is truncated');
    const decipher = createDecipheriv('aes-256-gcm', deriveKey(passphrase, Buffer.from(enc.salt, 'base64'), enc), Buffer.from(enc.iv, 'base64'));
    decipher.setAAD(headerLine);
    decipher.setAuthTag(rest.subarray(rest.length - TAG_BYTES));
    try {
      payload = Buffer.concat([decipher.update(rest.subarray(0, rest.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new UsmError('E_BACKUP_AUTH', 'wrong passphrase, or the archive was changed or damaged');
    }
  } else {
    if (header.payloadSha256 !== undefined && sha256(rest) !== header.payloadSha256) {
      throw new UsmError('E_BACKUP_AUTH', 'the archive was changed or damaged (checksum mismatch)');
    }
    payload = rest;
  }
  let json: unknown;
  try {
    json = JSON.parse(gunzipSync(payload, { maxOutputLength: MAX_PAYLOAD_BYTES }).toString('utf8'));
  } catch (error) {
    throw new UsmError('E_BACKUP_FORMAT', `the archive's payload does not decode: ${(error as Error).message}`);
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) throw new UsmError('E_BACKUP_FORMAT', 'the archive lists invalid entries:', { problems: listZodProblems(parsed.error, 'entries') });
  const entries = parsed.data.entries.map((e): BackupEntry => {
    const data = e.data === undefined ? undefined : Buffer.from(e.data, 'base64');
    if (e.type === 'file' && (!data || sha256(data) !== e.sha256)) throw new UsmError('E_BACKUP_AUTH', `${e.path}: content does not match its checksum`);
    // Permission bits only: no archive restores a setuid, setgid or sticky bit.
    return { path: e.path, type: e.type, mode: e.mode & 0o777, uid: e.uid, gid: e.gid, ...(data ? { data } : {}) };
  });
  return { createdAt: parsed.data.createdAt, hostname: parsed.data.hostname, version: parsed.data.version, entries };
}

function readHeader(archive: Buffer): { header: z.infer<typeof headerSchema>; headerLine: Buffer } {
  const newline = archive.indexOf(0x0a);
  if (newline <= 0 || newline > 4096) throw new UsmError('E_BACKUP_FORMAT', 'not a usm-appliance backup (no header line)');
  const headerLine = archive.subarray(0, newline + 1);
  let json: unknown;
  try {
    json = JSON.parse(headerLine.toString('utf8'));
  } catch {
    throw new UsmError('E_BACKUP_FORMAT', 'not a usm-appliance backup (header is not JSON)');
  }
  const parsed = headerSchema.safeParse(json);
  if (!parsed.success) throw new UsmError('E_BACKUP_FORMAT', 'not a usm-appliance backup, or a newer format:', { problems: listZodProblems(parsed.error, 'header') });
  return { header: parsed.data, headerLine };
}

function deriveKey(passphrase: string, salt: Buffer, params: { N: number; r: number; p: number }): Buffer {
  return scryptSync(passphrase.normalize('NFC'), salt, 32, { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 });
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
