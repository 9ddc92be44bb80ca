import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createSilentLogger } from '../../common/logger.js';
import type { ExecutorGroup } from '../../poller/lib/executors/executor.js';
import { createSnmpExecutors } from '../../poller/lib/executors/snmp/snmp-executors.js';
import { compareOids } from '../../poller/lib/executors/snmp/oid-order.js';
import { AGENT_SCALARS, startSnmpAgent, type SnmpAgentHandle } from '../support/snmp-agent.js';
import { okData, runSnmpJob, runSnmpJobThroughRuntime, varbindsOf, type TestVarbind } from './snmp-job-harness.js';

const ROWS = 10_000;

describe('snmp executors against the net-snmp Agent (value types, 10,000-row table)', { timeout: 120_000 }, () => {
  let agent: SnmpAgentHandle;
  let group: ExecutorGroup;
  const log = createSilentLogger();
  const target = () => ({ host: agent.host, port: agent.port });
  const v2 = () => ({ version: '2c', community: agent.community });
  const run = (type: string, params: Record<string, unknown>, timeoutMs = 30_000) => runSnmpJob(group, type, target(), params, { timeoutMs, log });

  before(async () => {
    agent = await startSnmpAgent({ rows: ROWS });
    group = createSnmpExecutors({ log });
  });
  after(async () => {
    await group?.close();
    await agent?.stop();
  });

  test('every value type in the result form of the protocol', async () => {
    const { outcome } = await run('snmp.get', { ...v2(), oids: Object.values(AGENT_SCALARS) });
    assert.deepEqual(varbindsOf(outcome), [
      { oid: AGENT_SCALARS.integer, type: 'Integer', value: -42 },
      { oid: AGENT_SCALARS.counter32, type: 'Counter32', value: 4294967295 },
      { oid: AGENT_SCALARS.gauge32, type: 'Gauge32', value: 1234 },
      { oid: AGENT_SCALARS.timeTicks, type: 'TimeTicks', value: 987654 },
      { oid: AGENT_SCALARS.counter64, type: 'Counter64', value: '18446744073709551615' },
      { oid: AGENT_SCALARS.ipAddress, type: 'IpAddress', value: '192.0.2.1' },
      { oid: AGENT_SCALARS.objectIdentifier, type: 'ObjectIdentifier', value: '1.3.6.1.4.1.99999.42' },
      { oid: AGENT_SCALARS.binaryString, type: 'OctetString', value: null, hex: '001a2bff' },
      { oid: AGENT_SCALARS.utf8String, type: 'OctetString', value: 'Привет, мир', hex: Buffer.from('Привет, мир').toString('hex') },
      { oid: AGENT_SCALARS.emptyString, type: 'OctetString', value: '', hex: '' },
      { oid: AGENT_SCALARS.writableString, type: 'OctetString', value: 'initial', hex: '696e697469616c' },
    ]);
  });

  test('snmp.set of text on the Agent; a read-only scalar is notWritable', async () => {
    // Hex (binary) sets are tested on snmpd: the Agent re-decodes set octets as UTF-8 text.
    const set = await run('snmp.set', { ...v2(), varbinds: [{ oid: AGENT_SCALARS.writableString, type: 'OctetString', value: 'back' }] });
    assert.equal(varbindsOf(set.outcome)[0]!.value, 'back');
    assert.equal(varbindsOf((await run('snmp.get', { ...v2(), oids: [AGENT_SCALARS.writableString] })).outcome)[0]!.value, 'back');
    const readOnly = await run('snmp.set', { ...v2(), varbinds: [{ oid: AGENT_SCALARS.gauge32, type: 'Gauge32', value: 1 }] });
    assert.equal(readOnly.outcome.status === 'error' && readOnly.outcome.error.code, 'E_SNMP_NOT_WRITABLE');
  });

  test(`snmp.walk of a ${ROWS}-row column is complete, in order, and not truncated`, async () => {
    const data = okData((await run('snmp.walk', { ...v2(), oid: agent.columnOid(3) })).outcome);
    const rows = data.varbinds as TestVarbind[];
    assert.equal(data.truncated, false);
    assert.equal(rows.length, ROWS);
    assert.deepEqual(rows[0], { oid: `${agent.columnOid(3)}.1.1`, type: 'OctetString', value: 'row-1', hex: Buffer.from('row-1').toString('hex') });
    assert.equal(rows[ROWS - 1]!.value, `row-${ROWS}`);
    for (let i = 1; i < rows.length; i++) assert.ok(compareOids(rows[i - 1]!.oid, rows[i]!.oid) < 0);
    const counters = okData((await run('snmp.walk', { ...v2(), oid: agent.columnOid(4), maxRepetitions: 50 })).outcome).varbinds as TestVarbind[];
    assert.equal(counters.length, ROWS);
    assert.deepEqual(counters[ROWS - 1], { oid: `${agent.columnOid(4)}.100.100`, type: 'Counter64', value: String(BigInt(ROWS - 1) * 1_000_000_007n) });
  });

  test('snmp.walk honours maxRows (truncated) and v1 walks the same rows with getnext', async () => {
    const cut = okData((await run('snmp.walk', { ...v2(), oid: agent.columnOid(3), maxRows: 2_500 })).outcome);
    assert.equal((cut.varbinds as unknown[]).length, 2_500);
    assert.equal(cut.truncated, true);
    const v1 = okData((await run('snmp.walk', { version: '1', community: agent.community, oid: agent.columnOid(3) })).outcome);
    assert.equal(v1.truncated, false);
    const rows = v1.varbinds as TestVarbind[];
    assert.equal(rows.length, ROWS);
    assert.deepEqual(rows.slice(0, 2_500), cut.varbinds);
  });

  test('a walk cut by the job deadline reports status timeout with the rows gathered so far', async () => {
    const result = await runSnmpJobThroughRuntime(
      group,
      { type: 'snmp.walk', target: target(), params: { ...v2(), oid: agent.columnOid(3), maxRepetitions: 1 }, timeoutMs: 300 },
      log,
    );
    assert.equal(result.status, 'timeout');
    assert.equal(result.error?.code, 'E_TIMEOUT');
    const rows = result.data?.varbinds as TestVarbind[];
    assert.equal(result.data?.truncated, true);
    assert.ok(rows.length > 0 && rows.length < ROWS, `${rows.length} rows`);
    assert.equal(rows[0]!.value, 'row-1');
  });

  // The net-snmp Agent answers only one repetition when a GetBulk has several repeaters, so the
  // multi-column interleaving is tested against snmpd; here one non-repeater and one column.
  test('snmp.getbulk: a non-repeater then the repetitions of a column', async () => {
    const { outcome } = await run('snmp.getbulk', { ...v2(), oids: [AGENT_SCALARS.counter64.slice(0, -2), agent.columnOid(4)], nonRepeaters: 1, maxRepetitions: 3 });
    // RFC 3416 lets an agent return fewer repetitions than asked; this Agent stops at two here.
    const vbs = varbindsOf(outcome).map((vb) => [vb.oid, vb.type, vb.value]);
    assert.ok(vbs.length >= 3, JSON.stringify(vbs));
    assert.deepEqual(vbs.slice(0, 3), [
      [AGENT_SCALARS.counter64, 'Counter64', '18446744073709551615'],
      [`${agent.columnOid(4)}.1.1`, 'Counter64', '0'],
      [`${agent.columnOid(4)}.1.2`, 'Counter64', '1000000007'],
    ]);
  });
});
