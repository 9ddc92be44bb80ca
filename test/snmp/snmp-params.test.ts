import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createSilentLogger } from '../../common/logger.js';
import { decodeJob, type DecodedJob } from '../../poller/lib/protocol/decode-job.js';
import { createSnmpExecutors } from '../../poller/lib/executors/snmp/snmp-executors.js';

const group = createSnmpExecutors({ log: createSilentLogger() });
after(() => group.close());

function decode(type: string, params: Record<string, unknown>): DecodedJob {
  const body = Buffer.from(JSON.stringify({ v: 1, id: 'job-1', type, target: { host: '127.0.0.1' }, params }));
  return decodeJob(body, {}, { maxBytes: 1 << 20, lookup: (t) => group.executors.find((e) => e.type === t) });
}

function problems(type: string, params: Record<string, unknown>): string[] {
  const decoded = decode(type, params);
  assert.equal(decoded.ok, false, `expected ${type} ${JSON.stringify(params)} to be invalid`);
  return decoded.ok ? [] : decoded.invalid.problems;
}

const v2 = { version: '2c', community: 'public' };

describe('snmp params validation (through decodeJob)', () => {
  test('registers the five snmp types', () => {
    assert.deepEqual(group.executors.map((e) => e.type).sort(), ['snmp.get', 'snmp.getbulk', 'snmp.getnext', 'snmp.set', 'snmp.walk']);
  });

  test('valid jobs get defaults (retries 1, walk maxRepetitions 25 / maxRows 100000, getbulk 0/10)', () => {
    const get = decode('snmp.get', { ...v2, oids: ['.1.3.6.1.2.1.1.5.0'] });
    assert.ok(get.ok);
    assert.deepEqual(get.job.params, { ...v2, oids: ['1.3.6.1.2.1.1.5.0'], retries: 1 });
    const walk = decode('snmp.walk', { ...v2, oid: '1.3.6.1.2.1.2' });
    assert.ok(walk.ok);
    assert.deepEqual(walk.job.params, { ...v2, oid: '1.3.6.1.2.1.2', retries: 1, maxRepetitions: 25, maxRows: 100000 });
    const bulk = decode('snmp.getbulk', { ...v2, oids: ['1.3.6.1.2.1.1'] });
    assert.ok(bulk.ok);
    assert.deepEqual(bulk.job.params, { ...v2, oids: ['1.3.6.1.2.1.1'], retries: 1, nonRepeaters: 0, maxRepetitions: 10 });
    const v3 = decode('snmp.get', {
      version: '3',
      v3: { user: 'u', level: 'authPriv', authProtocol: 'sha512', authKey: 'authpass1', privProtocol: 'aes256r', privKey: 'privpass1', context: 'vlan-10' },
      oids: ['1.3.6.1.2.1.1.5.0'],
    });
    assert.ok(v3.ok);
    assert.ok(v3.job.secrets.includes('authpass1') && v3.job.secrets.includes('privpass1'));
  });

  test('community is required for v1/v2c and refused for v3', () => {
    assert.deepEqual(problems('snmp.get', { version: '2c', oids: ['1.3.6.1'] }), ['params.community: required for version 2c']);
    assert.deepEqual(problems('snmp.get', { version: '1', oids: ['1.3.6.1'], v3: { user: 'u', level: 'noAuthNoPriv' }, community: 'c' }), [
      'params.v3: only for version 3 (version is 1)',
    ]);
    assert.deepEqual(problems('snmp.get', { version: '3', community: 'c', oids: ['1.3.6.1'] }), [
      'params.community: not used with version 3 (use v3)',
      'params.v3: required for version 3',
    ]);
  });

  test('the v3 block must match its level, naming each field', () => {
    assert.deepEqual(problems('snmp.get', { version: '3', v3: { user: 'u', level: 'authPriv', authProtocol: 'sha' }, oids: ['1.3.6.1'] }), [
      'params.v3.authKey: required for level authPriv',
      'params.v3.privProtocol: required for level authPriv',
      'params.v3.privKey: required for level authPriv',
    ]);
    assert.deepEqual(problems('snmp.get', { version: '3', v3: { user: 'u', level: 'noAuthNoPriv', authKey: 'longenough' }, oids: ['1.3.6.1'] }), [
      'params.v3.authKey: not used with level noAuthNoPriv',
    ]);
    const bad = problems('snmp.get', { version: '3', v3: { user: 'u', level: 'authNoPriv', authProtocol: 'sha1', authKey: 'short' }, oids: ['1.3.6.1'] });
    assert.ok(bad.some((p) => p.startsWith('params.v3.authProtocol:')), bad.join('\n'));
    assert.ok(bad.some((p) => p === 'params.v3.authKey: must be at least 8 characters'), bad.join('\n'));
  });

  test('oids, unknown keys and type-specific fields are named', () => {
    const oidProblems = problems('snmp.get', { ...v2, oids: ['1.3.6.1', 'sysName.0'] });
    assert.equal(oidProblems.length, 1);
    assert.match(oidProblems[0]!, /^params\.oids\.1: must be a numeric OID/);
    assert.match(problems('snmp.get', { ...v2, oids: [] })[0]!, /^params\.oids: /);
    assert.match(problems('snmp.get', { ...v2, oids: Array.from({ length: 129 }, () => '1.3.6.1') })[0]!, /^params\.oids: /);
    assert.deepEqual(problems('snmp.get', { ...v2, oids: ['1.3.6.1'], port: 161 }), ['params: unknown key(s) "port"']);
    assert.deepEqual(problems('snmp.getbulk', { version: '1', community: 'c', oids: ['1.3.6.1'] }), ['params.version: getbulk needs version 2c or 3']);
    assert.deepEqual(problems('snmp.getbulk', { ...v2, oids: ['1.3.6.1'], nonRepeaters: 2 }), ['params.nonRepeaters: larger than the number of oids (1)']);
    assert.match(problems('snmp.walk', { ...v2, oids: ['1.3.6.1'] }).join('\n'), /params\.oid: .*\n?.*params: unknown key\(s\) "oids"|params: unknown key\(s\) "oids"/);
    assert.match(problems('snmp.walk', { ...v2, oid: '1.3.6.1', maxRows: 0 })[0]!, /^params\.maxRows: /);
    assert.match(problems('snmp.get', { ...v2, oids: ['1.3.6.1'], retries: 11 })[0]!, /^params\.retries: /);
  });

  test('set varbinds are checked per type', () => {
    const ok = decode('snmp.set', {
      ...v2,
      varbinds: [
        { oid: '1.3.6.1.2.1.1.4.0', type: 'OctetString', value: 'noc@example.net' },
        { oid: '1.3.6.1.4.1.1.1', type: 'Counter64', value: '18446744073709551615' },
        { oid: '1.3.6.1.4.1.1.2', type: 'OctetStringHex', value: '001b21aabbcc' },
      ],
    });
    assert.ok(ok.ok);
    assert.match(problems('snmp.set', { ...v2, varbinds: [{ oid: '1.3.6.1.2.1.1.4.0', type: 'Integer', value: 'x' }] })[0]!, /^params\.varbinds\.0\.value: /);
    assert.match(problems('snmp.set', { ...v2, varbinds: [{ oid: '1.3.6.1.2.1.1.4.0', type: 'IpAddress', value: '300.1.1.1' }] })[0]!, /^params\.varbinds\.0\.value: must be an IPv4/);
    assert.match(problems('snmp.set', { ...v2, varbinds: [{ oid: '1.3.6.1.2.1.1.4.0', type: 'Float', value: 1 }] })[0]!, /^params\.varbinds\.0\.type: /);
    assert.match(problems('snmp.set', { ...v2, varbinds: [{ oid: '1.3.6.1', type: 'Counter64', value: '18446744073709551616' }] })[0]!, /^params\.varbinds\.0\.value: above 2\^64-1/);
  });
});
