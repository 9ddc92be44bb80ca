import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ExecutorGroup } from '../../poller/lib/executors/executor.js';
import { createSnmpExecutors } from '../../poller/lib/executors/snmp/snmp-executors.js';
import { HOSTILE_ROOT, startHostileAgent, startSnmpAgent, type HostileAgentHandle, type SnmpAgentHandle } from '../support/snmp-agent.js';
import { captureLogger, runSnmpJob, runSnmpJobThroughRuntime } from './snmp-job-harness.js';

describe('snmp executors against misbehaving peers', { timeout: 60_000 }, () => {
  const logs = captureLogger();
  let group: ExecutorGroup;
  let good: SnmpAgentHandle;
  const hostile: Partial<Record<'silent' | 'garbage' | 'non-increasing', HostileAgentHandle>> = {};
  const at = (peer: { host: string; port: number }) => ({ host: peer.host, port: peer.port });

  before(async () => {
    group = createSnmpExecutors({ log: logs.log });
    good = await startSnmpAgent({ rows: 10 });
    for (const mode of ['silent', 'garbage', 'non-increasing'] as const) hostile[mode] = await startHostileAgent(mode);
  });
  after(async () => {
    await group?.close();
    await good?.stop();
    for (const peer of Object.values(hostile)) await peer.stop();
  });

  test('a walk stops with E_SNMP_OID_NOT_INCREASING and the rows so far (v2c getbulk and v1 getnext)', async () => {
    const peer = hostile['non-increasing']!;
    const v2 = await runSnmpJob(group, 'snmp.walk', at(peer), { version: '2c', community: 'c', oid: HOSTILE_ROOT }, { log: logs.log });
    assert.equal(v2.outcome.status, 'error');
    assert.equal(v2.outcome.status === 'error' && v2.outcome.error.code, 'E_SNMP_OID_NOT_INCREASING');
    assert.deepEqual(v2.outcome.status === 'error' && v2.outcome.data, {
      varbinds: [
        { oid: `${HOSTILE_ROOT}.1`, type: 'Integer', value: 1 },
        { oid: `${HOSTILE_ROOT}.2`, type: 'Integer', value: 2 },
      ],
      truncated: true,
    });
    const v1 = await runSnmpJob(group, 'snmp.walk', at(peer), { version: '1', community: 'c', oid: HOSTILE_ROOT }, { log: logs.log });
    assert.equal(v1.outcome.status === 'error' && v1.outcome.error.code, 'E_SNMP_OID_NOT_INCREASING');
    assert.equal(v1.outcome.status === 'error' ? (v1.outcome.data?.varbinds as unknown[]).length : -1, 1);
  });

  test('garbage datagrams do not crash the poller; the job times out cleanly and the group keeps working', async () => {
    const peer = hostile.garbage!;
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const direct = await runSnmpJob(group, 'snmp.get', at(peer), { version: '2c', community: 'c', oids: ['1.3.6.1.2.1.1.5.0'] }, { timeoutMs: 600, log: logs.log });
      assert.equal(direct.outcome.status === 'error' && direct.outcome.error.code, 'E_TIMEOUT');
      const viaRuntime = await runSnmpJobThroughRuntime(
        group,
        { type: 'snmp.walk', target: at(peer), params: { version: '3', v3: { user: 'u', level: 'noAuthNoPriv' }, oid: '1.3.6.1' }, timeoutMs: 600 },
        logs.log,
      );
      assert.equal(viaRuntime.status, 'timeout');
      assert.ok(peer.received >= 2);
      const ok = await runSnmpJob(group, 'snmp.get', at(good), { version: '2c', community: good.community, oids: ['1.3.6.1.4.1.99999.1.1.0'] }, { log: logs.log });
      assert.equal(ok.outcome.status, 'ok');
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    assert.deepEqual(uncaught, []);
    assert.match(logs.text(), /SNMP session ignored a bad datagram/);
  });

  test('a silent agent gives E_TIMEOUT after 1 + retries attempts, status timeout through the runtime', async () => {
    const peer = hostile.silent!;
    const before = peer.received;
    const { outcome } = await runSnmpJob(group, 'snmp.get', at(peer), { version: '2c', community: 'c', oids: ['1.3.6.1.2.1.1.5.0'], retries: 2 }, { timeoutMs: 900, log: logs.log });
    assert.equal(outcome.status === 'error' && outcome.error.code, 'E_TIMEOUT');
    assert.equal(peer.received - before, 3);
    const result = await runSnmpJobThroughRuntime(
      group,
      { type: 'snmp.getnext', target: at(peer), params: { version: '1', community: 'c', oids: ['1.3.6.1'], retries: 0 }, timeoutMs: 400 },
      logs.log,
    );
    assert.equal(result.status, 'timeout');
    assert.equal(result.error?.code, 'E_TIMEOUT');
  });

  test('in-flight requests per target are capped; queued jobs past their deadline never send', async () => {
    const capped = createSnmpExecutors({ log: logs.log }, { maxInFlightPerTarget: 2 });
    try {
      const peer = await startHostileAgent('silent');
      try {
        const jobs = Array.from({ length: 5 }, (_, i) =>
          runSnmpJob(capped, 'snmp.get', at(peer), { version: '2c', community: 'c', oids: [`1.3.6.1.2.1.1.${i + 1}.0`], retries: 0 }, { timeoutMs: 500, log: logs.log }),
        );
        const outcomes = await Promise.all(jobs);
        assert.ok(outcomes.every(({ outcome }) => outcome.status === 'error' && outcome.error.code === 'E_TIMEOUT'));
        assert.equal(peer.received, 2);
      } finally {
        await peer.stop();
      }
    } finally {
      await capped.close();
    }
  });

  test('an unresolvable host name is E_UNREACHABLE', async () => {
    // The resolver is injected so the test sends no DNS query off the machine.
    const offline = createSnmpExecutors(
      { log: logs.log },
      { resolveHost: async (host) => { throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }); } },
    );
    try {
      const { outcome } = await runSnmpJob(offline, 'snmp.get', { host: 'no-such-switch.invalid', port: 161 }, { version: '2c', community: 'c', oids: ['1.3.6.1'] }, { log: logs.log });
      assert.equal(outcome.status === 'error' && outcome.error.code, 'E_UNREACHABLE');
      const named = createSnmpExecutors({ log: logs.log }, { resolveHost: async () => ({ address: '127.0.0.1', family: 4 }) });
      const ok = await runSnmpJob(named, 'snmp.get', { host: 'agent.test', port: good.port }, { version: '2c', community: good.community, oids: ['1.3.6.1.4.1.99999.1.1.0'] }, { log: logs.log });
      assert.equal(ok.outcome.status, 'ok');
      await named.close();
    } finally {
      await offline.close();
    }
  });
});
