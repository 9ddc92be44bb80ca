import { randomBytes } from 'node:crypto';

/**
 * A random broker password: 32 bytes from the CSPRNG as base64url (43
 * characters of A-Z a-z 0-9 - _), so it sits in an amqp:// URL, a systemd
 * EnvironmentFile and a shell without escaping.
 */
export function generateBrokerPassword(): string {
  return randomBytes(32).toString('base64url');
}
