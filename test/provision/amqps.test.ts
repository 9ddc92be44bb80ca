import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { execa } from 'execa';
import { createAmqpsCa, fingerprintSha256, type AmqpsCa } from '../../provision/lib/amqps/create-ca.js';
import { issueClientCertificate, issueServerCertificate, type IssuedCertificate } from '../../provision/lib/amqps/issue-certificate.js';
import { isUsmError } from '../../common/usm-error.js';

let dir: string;
let ca: AmqpsCa;
let otherCa: AmqpsCa;
let server: IssuedCertificate;
let client: IssuedCertificate;
let strangerClient: IssuedCertificate;
const now = new Date();

async function openssl(args: string[]): Promise<{ exitCode: number; output: string }> {
  const result = await execa('openssl', args, { cwd: dir, timeout: 20_000, reject: false, stdin: 'ignore', all: true });
  return { exitCode: result.exitCode ?? -1, output: String(result.all) };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'usm-amqps-test-'));
  ca = await createAmqpsCa({ now });
  otherCa = await createAmqpsCa({ commonName: 'Some other CA' });
  server = await issueServerCertificate(ca, { names: ['rabbit.core.test', '127.0.0.1', '::1'], now });
  client = await issueClientCertificate(ca, { satelliteId: 'sat_7-a', now });
  strangerClient = await issueClientCertificate(otherCa, { satelliteId: 'sat_7-a' });
  const files: Record<string, string> = {
    'ca.pem': ca.certPem,
    'other-ca.pem': otherCa.certPem,
    'server.pem': server.certPem,
    'client.pem': client.certPem,
    'client.key': client.keyPem,
  };
  for (const [name, data] of Object.entries(files)) await writeFile(join(dir, name), data, { mode: 0o600 });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('AMQPS certificates (openssl CLI)', () => {
  test('openssl verifies server and client against the CA, for their purposes', async () => {
    const both = await openssl(['verify', '-CAfile', 'ca.pem', 'server.pem', 'client.pem']);
    assert.equal(both.exitCode, 0, both.output);
    assert.match(both.output, /server\.pem: OK/);
    assert.match(both.output, /client\.pem: OK/);
    const asServer = await openssl(['verify', '-purpose', 'sslserver', '-CAfile', 'ca.pem', 'server.pem']);
    assert.equal(asServer.exitCode, 0, asServer.output);
    const asClient = await openssl(['verify', '-purpose', 'sslclient', '-CAfile', 'ca.pem', 'client.pem']);
    assert.equal(asClient.exitCode, 0, asClient.output);
    // EKU keeps each certificate to its own side of the handshake.
    const clientAsServer = await openssl(['verify', '-purpose', 'sslserver', '-CAfile', 'ca.pem', 'client.pem']);
    assert.notEqual(clientAsServer.exitCode, 0);
  });

  test('a certificate of another CA does not verify', async () => {
    const result = await openssl(['verify', '-CAfile', 'other-ca.pem', 'server.pem']);
    assert.notEqual(result.exitCode, 0);
    assert.match(result.output, /unable to get local issuer certificate/);
  });

  test('the CA is ECDSA P-256, CA:TRUE pathlen:0, valid 10 years', async () => {
    const text = await openssl(['x509', '-in', 'ca.pem', '-noout', '-text']);
    assert.match(text.output, /Public Key Algorithm: id-ecPublicKey/);
    assert.match(text.output, /NIST CURVE: P-256/);
    assert.match(text.output, /Signature Algorithm: ecdsa-with-SHA256/);
    assert.match(text.output, /Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    assert.match(text.output, /Key Usage: critical\s+Certificate Sign, CRL Sign/);
    assert.match(text.output, /Subject: CN = usm-appliance AMQPS CA, O = usm-appliance/);
    const years = (ca.notAfter.getTime() - now.getTime()) / (365.25 * 86_400_000);
    assert.ok(years > 9.99 && years < 10.01, `validity ${years} years`);
  });

  test('the fingerprint is the SHA-256 openssl shows, colon hex', async () => {
    const shown = await openssl(['x509', '-in', 'ca.pem', '-noout', '-fingerprint', '-sha256']);
    assert.equal(shown.output.trim(), `sha256 Fingerprint=${ca.fingerprintSha256}`);
    assert.match(ca.fingerprintSha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(fingerprintSha256(ca.certPem), ca.fingerprintSha256);
  });

  test('the server certificate names what satellites dial and is for serverAuth only', async () => {
    const text = await openssl(['x509', '-in', 'server.pem', '-noout', '-text']);
    assert.match(text.output, /DNS:rabbit\.core\.test, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
    assert.match(text.output, /Extended Key Usage: \n\s+TLS Web Server Authentication\n/);
    assert.match(text.output, /Basic Constraints: critical\s+CA:FALSE/);
    assert.match(text.output, /Subject: CN = rabbit\.core\.test/);
    assert.ok(server.notAfter <= ca.notAfter);
  });

  test('the client certificate carries the broker user as CN, clientAuth only, and an unencrypted PKCS#8 key', async () => {
    const text = await openssl(['x509', '-in', 'client.pem', '-noout', '-subject', '-ext', 'extendedKeyUsage']);
    assert.match(text.output, /subject=CN = usm-sat-sat_7-a, O = usm-appliance/);
    assert.match(text.output, /TLS Web Client Authentication/);
    assert.doesNotMatch(text.output, /Server Authentication/);
    assert.match(client.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    const key = await openssl(['pkey', '-in', 'client.key', '-noout', '-text']);
    assert.match(key.output, /ASN1 OID: prime256v1/);
  });

  test('serial numbers differ and no temp files are left behind', async () => {
    const again = await issueClientCertificate(ca, { satelliteId: 'sat_7-a' });
    assert.notEqual(again.serialNumber, client.serialNumber);
    const left = (await readdir(tmpdir())).filter((name) => name.startsWith('usm-pki-'));
    assert.deepEqual(left, []);
  });

  test('bad input is one E_PROVISION_INPUT error naming each field', async () => {
    await assert.rejects(issueClientCertificate(ca, { satelliteId: 'x; rm -rf /' }), (error: unknown) => {
      assert.ok(isUsmError(error));
      assert.equal(error.code, 'E_PROVISION_INPUT');
      assert.match(error.problems.join('\n'), /^satelliteId: must be 1-64 characters/m);
      return true;
    });
    await assert.rejects(issueServerCertificate(ca, { names: ['ok.test', 'bad/name'], validityDays: 0 }), (error: unknown) => {
      assert.ok(isUsmError(error));
      assert.match(error.problems.join('\n'), /^names\.1: must be a DNS name or an IPv4\/IPv6 address/m);
      assert.match(error.problems.join('\n'), /^validityDays: /m);
      return true;
    });
    await assert.rejects(createAmqpsCa({ commonName: 'CN=evil/O=x' }), /invalid AMQPS CA options/);
  });
});

describe('mutual TLS handshake with node:tls', () => {
  interface Outcome {
    clientError?: string;
    serverSawPeer?: string;
    serverError?: string;
    serverAuthorizationError?: string;
  }

  async function handshake(options: { ca: string; cert?: IssuedCertificate; servername: string; lenientServer?: boolean }): Promise<Outcome> {
    const outcome: Outcome = {};
    const tlsServer = createServer({
      cert: server.certPem,
      key: server.keyPem,
      ca: ca.certPem,
      requestCert: true,
      // Lenient: finish the handshake so the test can read why the peer is not authorized, then hang up.
      rejectUnauthorized: options.lenientServer !== true,
      minVersion: 'TLSv1.2',
    });
    tlsServer.on('secureConnection', (socket: TLSSocket) => {
      if (!socket.authorized) {
        outcome.serverAuthorizationError = String(socket.authorizationError);
        socket.destroy();
        return;
      }
      outcome.serverSawPeer = String(socket.getPeerCertificate().subject?.CN);
      socket.on('error', () => undefined);
      socket.end('hello');
    });
    tlsServer.on('tlsClientError', (error) => {
      outcome.serverError ??= error.message;
    });
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    const { port } = tlsServer.address() as AddressInfo;
    try {
      await new Promise<void>((resolve) => {
        const socket = connect({
          host: '127.0.0.1',
          port,
          servername: options.servername,
          ca: options.ca,
          ...(options.cert ? { cert: options.cert.certPem, key: options.cert.keyPem } : {}),
          timeout: 10_000,
        });
        let data = '';
        socket.on('data', (chunk: Buffer) => {
          data += chunk.toString();
        });
        socket.on('error', (error: NodeJS.ErrnoException) => {
          outcome.clientError = error.code ?? error.message;
          resolve();
        });
        socket.on('timeout', () => {
          outcome.clientError = 'timeout';
          socket.destroy();
          resolve();
        });
        socket.on('close', () => {
          if (data !== 'hello' && !outcome.clientError) outcome.clientError = 'closed without data';
          resolve();
        });
      });
    } finally {
      await new Promise((resolve) => tlsServer.close(resolve));
    }
    return outcome;
  }

  test('the satellite with its client certificate and the pinned CA gets in; the server sees its CN', async () => {
    const outcome = await handshake({ ca: ca.certPem, cert: client, servername: 'rabbit.core.test' });
    assert.equal(outcome.clientError, undefined);
    assert.equal(outcome.serverSawPeer, 'usm-sat-sat_7-a');
  });

  test('a client trusting another CA refuses the server', async () => {
    const outcome = await handshake({ ca: otherCa.certPem, cert: client, servername: 'rabbit.core.test' });
    // The server sends its chain with the CA in it; the client trusts neither.
    assert.ok(['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'].includes(outcome.clientError ?? ''), outcome.clientError);
    assert.equal(outcome.serverSawPeer, undefined);
  });

  test('a name outside the SAN is refused', async () => {
    const outcome = await handshake({ ca: ca.certPem, cert: client, servername: 'elsewhere.test' });
    assert.equal(outcome.clientError, 'ERR_TLS_CERT_ALTNAME_INVALID');
  });

  test('the server refuses a client without a certificate or with one of another CA', async () => {
    const none = await handshake({ ca: ca.certPem, servername: 'rabbit.core.test' });
    assert.ok(none.clientError, 'client without certificate must fail');
    assert.match(none.serverError ?? '', /peer did not return a certificate|certificate required/i);
    assert.equal(none.serverSawPeer, undefined);
    const stranger = await handshake({ ca: ca.certPem, cert: strangerClient, servername: 'rabbit.core.test' });
    assert.ok(stranger.clientError, 'client of another CA must fail');
    assert.equal(stranger.serverSawPeer, undefined);
    const why = await handshake({ ca: ca.certPem, cert: strangerClient, servername: 'rabbit.core.test', lenientServer: true });
    assert.equal(why.serverAuthorizationError, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.equal(why.serverSawPeer, undefined);
  });
});
