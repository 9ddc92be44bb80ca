import { X509Certificate, createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { parseCidr } from '../addressing/cidr.js';
import { parseIpAddress } from '../addressing/ip-address.js';
import { DEFAULT_WG_PORT, formatEndpoint, parseEndpoint } from '../wireguard/endpoint.js';
import { isWireguardKey } from '../wireguard/wg-keys.js';
import { SATELLITE_ID_PATTERN } from './satellite-id.js';

// Field schemas shared by the answers sections. Each normalising transform is
// idempotent, so render -> parse -> render gives the same text.

/** A string field whose YAML value must be quoted when it looks like a number. */
export function text(what = 'a string') {
  return z.string({
    error: (issue) => (issue.input === undefined ? 'required' : `expected ${what} (quote numbers, e.g. "7")`),
  });
}

export const satelliteIdField = text().regex(SATELLITE_ID_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 _ -');

export const wireguardKeyField = text('a base64 WireGuard key').refine(isWireguardKey, {
  message: 'not a WireGuard key (expected 44 base64 characters encoding 32 bytes, as printed by wg genkey/pubkey/genpsk)',
});

/** A single tunnel host, written as "10.77.0.2/32", "10.77.0.2" or "fd00::2/128"; normalised to the /32 or /128 form. */
export const hostCidrField = text().transform((value, ctx) => {
  try {
    const cidr = parseCidr(value, 'address', { defaultHostPrefix: true });
    if (cidr.prefix !== (cidr.address.family === 4 ? 32 : 128)) {
      ctx.addIssue({ code: 'custom', message: `must be a single host (/32 or /128), got /${cidr.prefix}` });
      return z.NEVER;
    }
    return cidr.text;
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: errorText(error) });
    return z.NEVER;
  }
});

/** A plain IP address (no prefix), normalised to canonical text. */
export const ipAddressField = text().transform((value, ctx) => {
  try {
    return parseIpAddress(value).text;
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: errorText(error) });
    return z.NEVER;
  }
});

/** `host[:port]`, normalised to `host:port` (port 51820 when left out). */
export const endpointField = text().transform((value, ctx) => {
  try {
    return formatEndpoint(parseEndpoint(value, DEFAULT_WG_PORT));
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: errorText(error) });
    return z.NEVER;
  }
});

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export const hostnameField = text().regex(HOSTNAME, 'must be a DNS host name');

/** A host name or an IP literal (IPv6 without brackets). */
export const hostField = text().refine((value) => HOSTNAME.test(value) || isIp(value), {
  message: 'must be a host name or an IP address',
});

export const portField = z.number().int().min(1).max(65535);

export const absolutePathField = text().regex(/^\/[^\0\n]*$/, 'must be an absolute path');

export const certificatePemField = text('a PEM certificate').refine((value) => parseCertificate(value) !== undefined, {
  message: 'not a PEM certificate',
});

export const privateKeyPemField = text('a PEM private key').refine(
  (value) => {
    try {
      createPrivateKey(value);
      return /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value);
    } catch {
      return false;
    }
  },
  { message: 'not a PEM private key' },
);

/** SHA-256 fingerprint, any case, with or without colons; normalised to "AB:CD:..." like openssl prints it. */
export const sha256FingerprintField = text()
  .transform((value) => value.trim().replace(/:/g, '').toUpperCase())
  .refine((value) => /^[0-9A-F]{64}$/.test(value), { message: 'must be a SHA-256 fingerprint (64 hex digits, colons optional)' })
  .transform((value) => (value.match(/../g) ?? []).join(':'));

export function parseCertificate(pem: string): X509Certificate | undefined {
  if (!/-----BEGIN CERTIFICATE-----/.test(pem)) return undefined;
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function isIp(value: string): boolean {
  try {
    parseIpAddress(value);
    return true;
  } catch {
    return false;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
