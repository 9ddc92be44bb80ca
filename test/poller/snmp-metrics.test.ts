import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { createVhost, type TestVhost } from '../support/broker.js';
import { startPoller, type PollerProcess } from '../support/poller-process.js';
import { startSnmpd } from '../support/snmpd.js';
import { JobClient } from '../../appliance/lib/job/job-client.js';
import { loadConfig } from '../../poller/lib/config/load-config.js';
import { freeTcpPort } from '../support/free-ports.js';

/** SNMP requests reach the metrics with their outcome; the per-device cap is configurable. */
describe('SNMP request metrics of a real poller', { timeout: 90_000 }, () => {
  let vhost: TestVhost;
  let poller: PollerProcess;
  let agent: Awaited<ReturnType<typeof startSnmpd>>;
  let silent: Socket;
  let silentPort: number;
  let httpPort: number;

  before(async () => {
    vhost = await createVhost('snmpm');
    agent = await startSnmpd();
    silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    silentPort = silent.address().port;
    httpPort = await freeTcpPort();
    poller = await startPoller({ US_AMQP_DSN: vhost.dsn, USM_POLLER_SATELLITE_ID: 'sm1', USM_POLLER_HTTP_LISTEN: `127.0.0.1:${httpPort}` });
  });
  after(async () => {
    await poller?.stop('SIGKILL');
    await agent?.stop();
    silent?.close();
    await vhost?.remove();
  });

  it('counts answered and timed-out requests', async () => {
    const client = await JobClient.open(vhost.dsn);
    try {
      const params = { version: '2c', community: agent.communities.ro, oids: ['1.3.6.1.2.1.1.5.0'], retries: 0 };
      const ok = await client.request('usm_poller-sat-sm1', { v: 1, type: 'snmp.get', target: { host: agent.host, port: agent.port }, params }, 15_000);
      assert.equal(ok.result.status, 'ok');
      const lost = await client.request('usm_poller-sat-sm1', { v: 1, type: 'snmp.get', target: { host: '127.0.0.1', port: silentPort }, timeoutMs: 1500, params }, 15_000);
      assert.equal(lost.result.status, 'timeout');
    } finally {
      await client.close();
    }
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    assert.match(text, /usm_poller_snmp_requests_total\{outcome="ok"\} 1\b/);
    assert.match(text, /usm_poller_snmp_requests_total\{outcome="timeout"\} 1\b/);
    assert.ok(!text.includes(agent.communities.ro), 'no community in the metrics');
  });

  it('reads the per-device cap from the environment (default 16)', () => {
    assert.equal(loadConfig({ US_AMQP_DSN: vhost.dsn }).snmpMaxPerTarget, 16);
    assert.equal(loadConfig({ US_AMQP_DSN: vhost.dsn, USM_POLLER_SNMP_MAX_PER_TARGET: '4' }).snmpMaxPerTarget, 4);
    assert.throws(() => loadConfig({ US_AMQP_DSN: vhost.dsn, USM_POLLER_SNMP_MAX_PER_TARGET: '0' }), /USM_POLLER_SNMP_MAX_PER_TARGET: must be at least 1/);
  });
});
