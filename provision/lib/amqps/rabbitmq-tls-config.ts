import { isIP } from 'node:net';
import { z } from 'zod';
import { validateInput } from './validate-input.js';

const absolutePath = z.string().regex(/^\/[A-Za-z0-9._/-]*$/, 'must be an absolute path of A-Z a-z 0-9 . _ - /');
/** `PORT` or `ADDRESS:PORT` as rabbitmq.conf's listeners.* keys take them: IPv6 bare, `::1:5671`, `:::5671`. */
const listenAddress = z.string().refine((value) => {
  const colon = value.lastIndexOf(':');
  const port = value.slice(colon + 1);
  const host = value.slice(0, Math.max(colon, 0));
  const portOk = /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535;
  return portOk && (colon === -1 || isIP(host) !== 0);
}, 'must be PORT or ADDRESS:PORT (IPv6 without brackets, e.g. :::5671)');

const inputSchema = z
  .object({
    /** Where the TLS listener binds; satellites dial it. */
    listen: listenAddress.default('5671'),
    caFile: absolutePath.default('/etc/rabbitmq/usm-tls/ca.pem'),
    certFile: absolutePath.default('/etc/rabbitmq/usm-tls/server.pem'),
    keyFile: absolutePath.default('/etc/rabbitmq/usm-tls/server.key'),
    /** Log satellites in by their certificate CN (`usm-sat-<id>`) instead of a password. */
    certLogin: z.boolean().default(false),
    /** Plain AMQP listener: absent leaves it as the rest of the file sets it, `none` turns it off. */
    tcpListener: z.union([z.literal('none'), listenAddress]).optional(),
  })
  .strict();

export type RabbitmqTlsConfigInput = z.input<typeof inputSchema>;

/**
 * Pure: the new-style rabbitmq.conf lines of the satellites' AMQPS listener
 * with mutual TLS. Only TLS 1.2 and 1.3; a client without a certificate of
 * the appliance CA is refused in the handshake, before AMQP starts.
 */
export function renderRabbitmqTlsConfig(input: RabbitmqTlsConfigInput = {}): string {
  const o = validateInput(inputSchema, input, 'RabbitMQ TLS listener options');
  const lines = [
    '# usm-appliance: AMQPS listener for satellites, mutual TLS. Generated; do not edit by hand.',
    ...(o.tcpListener === undefined ? [] : [o.tcpListener === 'none' ? 'listeners.tcp = none' : `listeners.tcp.default = ${o.tcpListener}`]),
    `listeners.ssl.default = ${o.listen}`,
    `ssl_options.cacertfile = ${o.caFile}`,
    `ssl_options.certfile = ${o.certFile}`,
    `ssl_options.keyfile = ${o.keyFile}`,
    '# Every client must show a certificate signed by the appliance CA.',
    'ssl_options.verify = verify_peer',
    'ssl_options.fail_if_no_peer_cert = true',
    'ssl_options.versions.1 = tlsv1.3',
    'ssl_options.versions.2 = tlsv1.2',
    'ssl_options.honor_cipher_order = true',
  ];
  const certLogin = [
    'auth_mechanisms.1 = EXTERNAL',
    // PLAIN stays for clients on the plain listener (the core itself).
    'auth_mechanisms.2 = PLAIN',
    'ssl_cert_login_from = common_name',
  ];
  if (o.certLogin) {
    lines.push('# Satellites log in as the CN of their certificate (usm-sat-<id>), no password.', '# Needs: rabbitmq-plugins enable rabbitmq_auth_mechanism_ssl', ...certLogin);
  } else {
    lines.push(
      '# To log satellites in by certificate CN instead of password, enable the',
      '# rabbitmq_auth_mechanism_ssl plugin and uncomment:',
      ...certLogin.map((line) => `# ${line}`),
    );
  }
  return `${lines.join('\n')}\n`;
}
