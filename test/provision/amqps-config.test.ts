import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { renderRabbitmqTlsConfig } from '../../provision/lib/amqps/rabbitmq-tls-config.js';
import { isUsmError } from '../../common/usm-error.js';
import { goldenChecker } from '../support/golden.js';


const expectGolden = goldenChecker('provision/amqps');

test('rabbitmq.conf TLS listener, defaults: mutual TLS, cert login as a note', async () => {
  await expectGolden('rabbitmq-tls-default.conf', renderRabbitmqTlsConfig());
});

test('rabbitmq.conf TLS listener with cert login, a bind address and the plain listener off', async () => {
  const text = renderRabbitmqTlsConfig({
    listen: ':::5671',
    certLogin: true,
    tcpListener: 'none',
    caFile: '/srv/tls/ca.pem',
    certFile: '/srv/tls/server.pem',
    keyFile: '/srv/tls/server.key',
  });
  await expectGolden('rabbitmq-tls-cert-login.conf', text);
  assert.match(text, /^auth_mechanisms\.1 = EXTERNAL$/m);
  assert.match(text, /^listeners\.tcp = none$/m);
});

test('a path with spaces or a newline is refused, naming the field', () => {
  assert.throws(
    () => renderRabbitmqTlsConfig({ keyFile: '/etc/x\nlisteners.tcp.default = 0.0.0.0:5672' }),
    (error: unknown) => isUsmError(error) && /^keyFile: must be an absolute path/m.test(error.problems.join('\n')),
  );
  for (const listen of ['everywhere', '[::]:5671', '10.0.0.1:99999', 'example.com:5671']) {
    assert.throws(() => renderRabbitmqTlsConfig({ listen }), /invalid RabbitMQ TLS listener options/, listen);
  }
});
