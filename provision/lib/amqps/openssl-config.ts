import { isIP } from 'node:net';

/** What a certificate is for; decides its extensions. */
export type CertificateProfile = { kind: 'ca' } | { kind: 'server'; names: readonly string[] } | { kind: 'client' };

/**
 * Pure: the openssl config `openssl req` and `openssl ca` run with, paths
 * relative to the private workspace. `unique_subject = no` and a fresh
 * database per run: the CA's state is its certificate and key, nothing else.
 */
export function renderOpensslConfig(profile: CertificateProfile): string {
  const lines = [
    '[ req ]',
    'distinguished_name = req_dn',
    'prompt = no',
    '[ req_dn ]',
    '[ ca ]',
    'default_ca = usm_ca',
    '[ usm_ca ]',
    'database = index.txt',
    // Never read: -rand_serial makes a random 159-bit serial; openssl only wants the key set.
    'serial = serial.txt',
    'new_certs_dir = .',
    'default_md = sha256',
    'policy = usm_policy',
    'unique_subject = no',
    'copy_extensions = none',
    'email_in_dn = no',
    '[ usm_policy ]',
    'commonName = supplied',
    'organizationName = optional',
    '[ usm_ext ]',
    ...extensionLines(profile),
  ];
  if (profile.kind === 'server') lines.push('[ usm_san ]', ...sanLines(profile.names));
  return `${lines.join('\n')}\n`;
}

function extensionLines(profile: CertificateProfile): string[] {
  if (profile.kind === 'ca') {
    // pathlen:0: this CA signs end certificates only, never another CA.
    return ['basicConstraints = critical, CA:TRUE, pathlen:0', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash'];
  }
  return [
    'basicConstraints = critical, CA:FALSE',
    // ECDSA keys only sign the handshake; they never encrypt.
    'keyUsage = critical, digitalSignature',
    `extendedKeyUsage = ${profile.kind === 'server' ? 'serverAuth' : 'clientAuth'}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid:always',
    ...(profile.kind === 'server' ? ['subjectAltName = @usm_san'] : []),
  ];
}

function sanLines(names: readonly string[]): string[] {
  let dns = 0;
  let ip = 0;
  return names.map((name) => (isIP(name) === 0 ? `DNS.${++dns} = ${name}` : `IP.${++ip} = ${name}`));
}

/** `openssl ca -startdate/-enddate` form (GeneralizedTime text; OpenSSL stores UTCTime where RFC 5280 wants it). */
export function formatOpensslDate(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}
