import { z } from 'zod';
import {
  DEFAULT_PROMPT, commandSchema, commandTimeoutSchema, connectTimeoutSchema, commandsSchema, maxOutputBytesSchema, newlineSchema, pagerSchema, regexSchema,
} from '../cli-session/cli-params.js';

// Algorithms ssh2 can speak (its SUPPORTED_* lists on OpenSSL 3); listed here so a typo is an invalid job naming the field.
const KEX = [
  'curve25519-sha256', 'curve25519-sha256@libssh.org', 'ecdh-sha2-nistp256', 'ecdh-sha2-nistp384', 'ecdh-sha2-nistp521',
  'diffie-hellman-group-exchange-sha256', 'diffie-hellman-group14-sha256', 'diffie-hellman-group15-sha512',
  'diffie-hellman-group16-sha512', 'diffie-hellman-group17-sha512', 'diffie-hellman-group18-sha512',
  'diffie-hellman-group-exchange-sha1', 'diffie-hellman-group14-sha1', 'diffie-hellman-group1-sha1',
] as const;
const CIPHER = [
  'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr', 'chacha20-poly1305@openssh.com',
  'aes256-cbc', 'aes192-cbc', 'aes128-cbc', '3des-cbc', 'aes128-gcm', 'aes256-gcm',
] as const;
const SERVER_HOST_KEY = [
  'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-dss',
] as const;
const HMAC = [
  'hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha1-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512',
  'hmac-sha1', 'hmac-md5', 'hmac-sha2-256-96', 'hmac-sha2-512-96', 'hmac-ripemd160', 'hmac-sha1-96', 'hmac-md5-96',
] as const;

const listOf = <T extends readonly [string, ...string[]]>(names: T) => z.array(z.enum(names)).min(1).max(16);

/** Extra algorithms allowed for this job, appended to ssh2's modern defaults (old gear: group1/group14-sha1, CBC ciphers, ssh-rsa, ssh-dss). */
export const algorithmsSchema = z.strictObject({
  kex: listOf(KEX).optional(),
  cipher: listOf(CIPHER).optional(),
  serverHostKey: listOf(SERVER_HOST_KEY).optional(),
  hmac: listOf(HMAC).optional(),
});
export type AlgorithmOverrides = z.infer<typeof algorithmsSchema>;

// "SHA256:" + unpadded base64 of 32 bytes, as `ssh-keygen -lf` prints it; the prefix and padding are optional here.
const HOST_KEY_PIN = /^(SHA256:)?[A-Za-z0-9+/]{43}=?$/;

export const sshParamsSchema = z.strictObject({
  username: z.string().min(1).max(256),
  password: z.string().max(1024).optional(),
  privateKey: z.string().min(1).max(64 * 1024).optional(),
  passphrase: z.string().max(1024).optional(),
  mode: z.enum(['exec', 'shell']).default('exec'),
  commands: commandsSchema,
  prompt: regexSchema.default(DEFAULT_PROMPT),
  pager: pagerSchema.optional(),
  disablePaging: commandSchema.optional(),
  newline: newlineSchema.default('\n'),
  algorithms: algorithmsSchema.optional(),
  hostKeySha256: z.string().regex(HOST_KEY_PIN, 'must be a SHA256 fingerprint like "SHA256:<43 base64 chars>"').optional(),
  commandTimeoutMs: commandTimeoutSchema,
  connectTimeoutMs: connectTimeoutSchema,
  maxOutputBytes: maxOutputBytesSchema,
});
export type SshParams = z.infer<typeof sshParamsSchema>;

/** Normalises a pin to the form ssh-keygen prints: "SHA256:" + unpadded base64. */
export function normalizeHostKeyPin(pin: string): string {
  const bare = pin.startsWith('SHA256:') ? pin.slice('SHA256:'.length) : pin;
  return `SHA256:${bare.replace(/=+$/, '')}`;
}
