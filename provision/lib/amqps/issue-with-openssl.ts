import { X509Certificate } from 'node:crypto';
import type { OpensslWorkspace } from './openssl-workspace.js';
import { formatOpensslDate, renderOpensslConfig, type CertificateProfile } from './openssl-config.js';

export interface SignRequest {
  profile: CertificateProfile;
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  /** Absent: self-signed (the CA itself). */
  issuer?: { certPem: string; keyPem: string };
}

export interface SignedPair {
  certPem: string;
  keyPem: string;
  certificate: X509Certificate;
}

/**
 * A fresh P-256 key (PKCS#8 PEM) and its certificate, made by the openssl CLI
 * in a private workspace. `openssl ca` rather than `x509 -req`: it takes exact
 * start and end dates, so certificates can be backdated for clock skew.
 */
export async function signWithOpenssl(space: OpensslWorkspace, request: SignRequest): Promise<SignedPair> {
  await space.writeSecret('openssl.cnf', renderOpensslConfig(request.profile));
  await space.writeSecret('index.txt', '');
  await space.run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'leaf.key']);
  await space.run(['req', '-new', '-config', 'openssl.cnf', '-key', 'leaf.key', '-subj', `/CN=${request.commonName}/O=usm-appliance`, '-out', 'leaf.csr']);
  const signer = request.issuer
    ? ['-cert', await space.writeSecret('issuer.pem', request.issuer.certPem), '-keyfile', await space.writeSecret('issuer.key', request.issuer.keyPem)]
    : ['-selfsign', '-keyfile', 'leaf.key'];
  await space.run([
    'ca',
    '-batch',
    '-notext',
    '-config',
    'openssl.cnf',
    '-extensions',
    'usm_ext',
    '-rand_serial',
    '-startdate',
    formatOpensslDate(request.notBefore),
    '-enddate',
    formatOpensslDate(request.notAfter),
    ...signer,
    '-in',
    'leaf.csr',
    '-out',
    'leaf.pem',
  ]);
  const certificate = new X509Certificate(await space.read('leaf.pem'));
  return { certPem: certificate.toString(), keyPem: await space.read('leaf.key'), certificate };
}
