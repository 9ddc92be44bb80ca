/**
 * The generated CA, server and client certificates on a real RabbitMQ TLS listener:
 * a second node started by test/support/tls-rabbit.ts, with mutual TLS and certificate
 * login (rabbitmq_auth_mechanism_ssl), stopped in after() whatever happens.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, credentials, type ChannelModel } from 'amqplib';
import { createAmqpsCa, type AmqpsCa } from '../../provision/lib/amqps/create-ca.js';
import { issueClientCertificate, issueServerCertificate, type IssuedCertificate } from '../../provision/lib/amqps/issue-certificate.js';
import { planSatelliteBrokerUser } from '../../provision/lib/broker-users/satellite-broker-user.js';
import { jobQueueArguments, jobQueueName } from '../../poller/lib/broker/topology.js';
import { startTlsRabbit, type TlsRabbit } from '../support/tls-rabbit.js';

const SERVERNAME = 'rabbit.usm.test';
const SATELLITE = 'tls9';
let rabbit: TlsRabbit | undefined;
let ca: AmqpsCa;
let otherCa: AmqpsCa;
let client: IssuedCertificate;
const opened: ChannelModel[] = [];

function rabbitNode(): TlsRabbit {
  assert.ok(rabbit, 'TLS RabbitMQ node did not start');
  return rabbit;
}

async function open(options: { user?: string; password?: string; external?: boolean; trust?: AmqpsCa; cert?: IssuedCertificate | null; servername?: string }) {
  const node = rabbitNode();
  const auth = options.external ? '' : `${options.user ?? 'guest'}:${options.password ?? 'guest'}@`;
  const cert = options.cert === undefined ? client : options.cert;
  const model = await connect(`amqps://${auth}127.0.0.1:${node.amqpsPort}/%2f`, {
    ca: [(options.trust ?? ca).certPem],
    ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}),
    servername: options.servername ?? SERVERNAME,
    timeout: 10_000,
    ...(options.external ? { credentials: credentials.external() } : {}),
  });
  model.on('error', () => undefined);
  opened.push(model);
  return model;
}

before(async () => {
  ca = await createAmqpsCa();
  otherCa = await createAmqpsCa({ commonName: 'Not the appliance CA' });
  const server = await issueServerCertificate(ca, { names: [SERVERNAME, '127.0.0.1'] });
  client = await issueClientCertificate(ca, { satelliteId: SATELLITE });
  rabbit = await startTlsRabbit({ ca, server, plugins: ['rabbitmq_auth_mechanism_ssl'], certLogin: true });
  // The satellite's least-privilege user, as provisioning makes it; then no password at all: it logs in by certificate.
  const plan = planSatelliteBrokerUser({ satelliteId: SATELLITE });
  for (const command of plan.rabbitmqctl) await rabbit.ctl(command.args, command.stdin);
  await rabbit.ctl(['clear_password', plan.user]);
});

after(async () => {
  for (const model of opened) await model.close().catch(() => undefined);
  await rabbit?.stop();
});

describe('AMQPS on a real RabbitMQ node', () => {
  test('amqplib connects over amqps:// with the client certificate and the pinned CA (PLAIN login)', async () => {
    const model = await open({});
    const channel = await model.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true });
    channel.sendToQueue(queue, Buffer.from('over tls'));
    let message = await channel.get(queue, { noAck: true });
    for (let i = 0; !message && i < 50; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      message = await channel.get(queue, { noAck: true });
    }
    assert.ok(message);
    assert.equal(String(message.content), 'over tls');
    await channel.close();
  });

  test('the satellite logs in by certificate (EXTERNAL, CN usm-sat-<id>) and has only its own permissions', async () => {
    const model = await open({ external: true });
    const channel = await model.createChannel();
    const queue = jobQueueName(SATELLITE);
    const reply = await channel.assertQueue(queue, { durable: true, arguments: jobQueueArguments(queue, 5) });
    assert.equal(reply.queue, queue);
    await channel.close();
    const other = await model.createChannel();
    other.on('error', () => undefined);
    await assert.rejects(other.assertQueue(jobQueueName('someone-else')), /ACCESS_REFUSED/);
  });

  test('a client that pins another CA refuses the broker with a certificate error', async () => {
    await assert.rejects(open({ trust: otherCa }), (error: NodeJS.ErrnoException) => {
      assert.equal(error.code, 'SELF_SIGNED_CERT_IN_CHAIN');
      assert.match(error.message, /self-signed certificate in certificate chain/);
      return true;
    });
  });

  test('the broker refuses a client without a certificate, or with one of another CA', async () => {
    await assert.rejects(open({ cert: null }), (error: NodeJS.ErrnoException) => {
      // RabbitMQ (fail_if_no_peer_cert) answers with the TLS 1.3 alert 116.
      assert.equal(error.code, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
      return true;
    });
    const stranger = await issueClientCertificate(otherCa, { satelliteId: SATELLITE });
    await assert.rejects(open({ cert: stranger }), (error: NodeJS.ErrnoException) => {
      assert.equal(error.code, 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA');
      return true;
    });
  });

  test('a servername outside the server certificate is refused', async () => {
    await assert.rejects(open({ servername: 'other.usm.test' }), (error: NodeJS.ErrnoException) => {
      assert.equal(error.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
      return true;
    });
  });
});
