import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { validateInput } from './validate-input.js';
import { withOpensslWorkspace } from './openssl-workspace.js';
import { signWithOpenssl } from './issue-with-openssl.js';

/** The appliance's own small CA for the AMQPS link: it signs the broker's and the satellites' certificates. */
export interface AmqpsCa {
  certPem: string;
  /** PKCS#8 PEM. A secret: stays on the core side, written 0600. */
  keyPem: string;
  /** SHA-256 of the CA certificate, colon hex (`AB:CD:...`), for pinning and for operators to compare. */
  fingerprintSha256: string;
  notAfter: Date;
}

/** A plain label for people; no DN metacharacters (`/ = + , \`) so it goes into `-subj` as is. */
export const distinguishedLabel = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/, 'must be 1-64 characters of A-Z a-z 0-9 space . _ - (starting with a letter or digit)');

const caInputSchema = z
  .object({
    commonName: distinguishedLabel.default('usm-appliance AMQPS CA'),
    validityYears: z.number().int().min(1).max(30).default(10),
    /** Start of validity (tests pin it); default: now. */
    now: z.date().optional(),
  })
  .strict();

export type CreateAmqpsCaInput = z.input<typeof caInputSchema>;

/** Clock skew allowance: a host whose clock runs a little behind still accepts fresh certificates. */
export const BACKDATE_MS = 5 * 60 * 1000;

/** A new CA: ECDSA P-256 key, self-signed, CA:TRUE pathlen:0, 10 years by default. */
export async function createAmqpsCa(input: CreateAmqpsCaInput = {}): Promise<AmqpsCa> {
  const options = validateInput(caInputSchema, input, 'AMQPS CA options');
  const now = options.now ?? new Date();
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + options.validityYears);
  const signed = await withOpensslWorkspace((space) =>
    signWithOpenssl(space, {
      profile: { kind: 'ca' },
      commonName: options.commonName,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter,
    }),
  );
  return {
    certPem: signed.certPem,
    keyPem: signed.keyPem,
    fingerprintSha256: signed.certificate.fingerprint256,
    notAfter: new Date(signed.certificate.validTo),
  };
}

/** SHA-256 fingerprint of a PEM certificate, colon hex upper case, as `openssl x509 -fingerprint -sha256` shows it. */
export function fingerprintSha256(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}
