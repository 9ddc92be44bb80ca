import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { createAmqpsCa, fingerprintSha256 } from '../../../provision/lib/amqps/create-ca.js';
import { issueClientCertificate, issueServerCertificate, type CaKeyPair } from '../../../provision/lib/amqps/issue-certificate.js';
import { renderRabbitmqTlsConfig } from '../../../provision/lib/amqps/rabbitmq-tls-config.js';
import { UsmError } from '../../../common/usm-error.js';
import type { DesiredFile } from '../plan/file-plan.js';
import { TLS_FILES, hostPath } from './core-paths.js';
import type { ClientCertRecord, CoreState } from './core-state-schema.js';

/** Where RabbitMQ reads the TLS files from: a copy owned by the rabbitmq user (it cannot read /etc/usm-appliance). */
export const RABBITMQ_TLS_DIR = '/etc/rabbitmq/usm-tls';

export interface TlsMaterial {
  ca: CaKeyPair & { fingerprintSha256: string };
  serverCertPem: string;
  serverKeyPem: string;
}

/** A new CA and a server certificate for the names the satellites dial. */
export async function createTlsMaterial(names: readonly string[]): Promise<TlsMaterial> {
  const ca = await createAmqpsCa();
  const server = await issueServerCertificate(ca, { names: [...names] });
  return { ca, serverCertPem: server.certPem, serverKeyPem: server.keyPem };
}

/** A server certificate from the existing CA (the names changed). */
export async function reissueServerCertificate(ca: CaKeyPair, names: readonly string[]): Promise<Pick<TlsMaterial, 'serverCertPem' | 'serverKeyPem'>> {
  const server = await issueServerCertificate(ca, { names: [...names] });
  return { serverCertPem: server.certPem, serverKeyPem: server.keyPem };
}

/** The names (SAN) a server certificate carries, in the order wanted here. */
export function certificateNames(certPem: string): string[] {
  const san = new X509Certificate(certPem).subjectAltName ?? '';
  return san.split(', ').map((entry) => entry.replace(/^(DNS|IP Address):/, '')).filter(Boolean);
}

export function tlsFiles(material: TlsMaterial): DesiredFile[] {
  return [
    { path: TLS_FILES.caCert, content: material.ca.certPem, mode: 0o644 },
    { path: TLS_FILES.caKey, content: material.ca.keyPem, mode: 0o600 },
    { path: TLS_FILES.serverCert, content: material.serverCertPem, mode: 0o644 },
    { path: TLS_FILES.serverKey, content: material.serverKeyPem, mode: 0o600 },
    { path: TLS_FILES.rabbitmqConfig, content: renderRabbitmqSnippet(), mode: 0o644 },
  ];
}

export function renderRabbitmqSnippet(): string {
  return renderRabbitmqTlsConfig({
    caFile: `${RABBITMQ_TLS_DIR}/ca.pem`,
    certFile: `${RABBITMQ_TLS_DIR}/server.pem`,
    keyFile: `${RABBITMQ_TLS_DIR}/server.key`,
  });
}

/** Reads the TLS files under --root; null for each one that is missing. */
export async function readTlsFiles(root: string): Promise<{ caCert: string | null; caKey: string | null; serverCert: string | null; serverKey: string | null }> {
  const read = async (path: string) => {
    try {
      return await readFile(hostPath(root, path), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  };
  return {
    caCert: await read(TLS_FILES.caCert),
    caKey: await read(TLS_FILES.caKey),
    serverCert: await read(TLS_FILES.serverCert),
    serverKey: await read(TLS_FILES.serverKey),
  };
}

/** The CA the state pins, read from disk and checked against the pin. */
export async function loadPinnedCa(root: string, state: CoreState): Promise<CaKeyPair> {
  const files = await readTlsFiles(root);
  if (files.caCert === null || files.caKey === null) {
    throw new UsmError('E_CORE_STATE', `the AMQPS CA (${hostPath(root, TLS_FILES.caCert)}, ${hostPath(root, TLS_FILES.caKey)}) is missing; restore it from a backup`);
  }
  const actual = fingerprintSha256(files.caCert);
  if (actual !== state.amqps?.caSha256) {
    throw new UsmError('E_CORE_STATE', `${hostPath(root, TLS_FILES.caCert)} does not match amqps.caSha256 of the state (its SHA-256 is ${actual})`);
  }
  return { certPem: files.caCert, keyPem: files.caKey };
}

/** A client certificate for a satellite, and what the state keeps of it (no key). */
export async function issueSatelliteCertificate(ca: CaKeyPair, satelliteId: string): Promise<{ certPem: string; keyPem: string; record: ClientCertRecord }> {
  const issued = await issueClientCertificate(ca, { satelliteId });
  return {
    certPem: issued.certPem,
    keyPem: issued.keyPem,
    record: { serial: issued.serialNumber.toUpperCase(), sha256: fingerprintSha256(issued.certPem), notAfter: issued.notAfter.toISOString().replace(/\.\d{3}Z$/, 'Z') },
  };
}
