import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { UsmError } from '../../../common/usm-error.js';
import { validateInput } from './validate-input.js';
import { BACKDATE_MS, type AmqpsCa } from './create-ca.js';
import { withOpensslWorkspace } from './openssl-workspace.js';
import { signWithOpenssl } from './issue-with-openssl.js';
import type { CertificateProfile } from './openssl-config.js';
import { brokerUserName, satelliteIdSchema } from '../broker-users/satellite-identity.js';

export interface IssuedCertificate {
  certPem: string;
  /** PKCS#8 PEM. A secret: written 0600 on the host that uses it, never logged. */
  keyPem: string;
  /** Hex, as OpenSSL prints it. */
  serialNumber: string;
  notAfter: Date;
}

const DNS_NAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const hostName = z.string().refine((value) => isIP(value) !== 0 || DNS_NAME.test(value), 'must be a DNS name or an IPv4/IPv6 address');

const caSchema = z.object({ certPem: z.string().min(1), keyPem: z.string().min(1) }).passthrough();
/** Default 5 years: long enough not to surprise an operator, and never past the CA itself. */
const validityDays = z.number().int().min(1).max(3650).default(1826);

const serverInputSchema = z
  .object({
    /** Names the satellites dial (US_AMQP_DSN host / USM_POLLER_TLS_SERVERNAME); the first is also the CN. */
    names: z.array(hostName).min(1).max(16),
    validityDays,
    now: z.date().optional(),
  })
  .strict();

const clientInputSchema = z.object({ satelliteId: satelliteIdSchema, validityDays, now: z.date().optional() }).strict();

export type IssueServerCertificateInput = z.input<typeof serverInputSchema>;
export type IssueClientCertificateInput = z.input<typeof clientInputSchema>;
export type CaKeyPair = Pick<AmqpsCa, 'certPem' | 'keyPem'>;

/** The RabbitMQ server certificate: SAN = every name the satellites dial, EKU serverAuth. */
export async function issueServerCertificate(ca: CaKeyPair, input: IssueServerCertificateInput): Promise<IssuedCertificate> {
  const issuer = validateInput(caSchema, ca, 'AMQPS CA');
  const options = validateInput(serverInputSchema, input, 'server certificate options');
  const commonName = options.names[0] ?? '';
  return issueLeaf(issuer, { kind: 'server', names: options.names }, commonName, options.validityDays, options.now);
}

/** A satellite's client certificate for mutual TLS: CN = its broker user `usm-sat-<id>`, EKU clientAuth. */
export async function issueClientCertificate(ca: CaKeyPair, input: IssueClientCertificateInput): Promise<IssuedCertificate> {
  const issuer = validateInput(caSchema, ca, 'AMQPS CA');
  const options = validateInput(clientInputSchema, input, 'client certificate options');
  return issueLeaf(issuer, { kind: 'client' }, brokerUserName(options.satelliteId), options.validityDays, options.now);
}

async function issueLeaf(issuer: CaKeyPair, profile: CertificateProfile, commonName: string, days: number, now = new Date()): Promise<IssuedCertificate> {
  const caNotAfter = readNotAfter(issuer.certPem);
  const notAfter = new Date(Math.min(now.getTime() + days * 86_400_000, caNotAfter.getTime()));
  const signed = await withOpensslWorkspace((space) =>
    signWithOpenssl(space, { profile, commonName, notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter, issuer }),
  );
  return {
    certPem: signed.certPem,
    keyPem: signed.keyPem,
    serialNumber: signed.certificate.serialNumber,
    notAfter: new Date(signed.certificate.validTo),
  };
}

function readNotAfter(certPem: string): Date {
  try {
    return new Date(new X509Certificate(certPem).validTo);
  } catch (error) {
    throw new UsmError('E_PROVISION_INPUT', 'invalid AMQPS CA: certPem is not a PEM certificate', { cause: error });
  }
}
