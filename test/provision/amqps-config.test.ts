import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { renderRabbitmqTlsConfig } from '../../provision/lib/amqps/rabbitmq-tls-config.js';
import { isUsmError } from '../../common/usm-error.js';

const GOLDEN = join('test', 'golden', 'provision', 'amqps');

async function expectGolden(name: string, actual: string): Promise<void> {
  const path = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, actual);
  }
  assert.equal(actual, await readFile(path, 'utf8'), `${path} differs (UPDATE_GOLDEN=1 regenerates it)`);
}

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
