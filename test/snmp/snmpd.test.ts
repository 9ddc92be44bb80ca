import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ExecutorGroup } from '../../poller/lib/executors/executor.js';
import { createSnmpExecutors } from '../../poller/lib/executors/snmp/snmp-executors.js';
import { startSnmpd, type SnmpdHandle } from '../support/snmpd.js';
import { captureLogger, okData, runSnmpJob, runSnmpJobThroughRuntime, varbindsOf } from './snmp-job-harness.js';

const SYS_DESCR = '1.3.6.1.2.1.1.1.0';
const SYS_OBJECT_ID = '1.3.6.1.2.1.1.2.0';
const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';
const SYS_CONTACT = '1.3.6.1.2.1.1.4.0';
const SYS_NAME = '1.3.6.1.2.1.1.5.0';
const SYSTEM = '1.3.6.1.2.1.1';

describe('snmp executors against snmpd', { timeout: 120_000 }, () => {
  let agent: SnmpdHandle;
  let group: ExecutorGroup;
  const logs = captureLogger();
  const target = () => ({ host: agent.host, port: agent.port });
  const v2 = () => ({ version: '2c', community: agent.communities.ro });
  const run = (type: string, params: Record<string, unknown>, timeoutMs = 5_000) => runSnmpJob(group, type, target(), params, { timeoutMs, log: logs.log });

  before(async () => {
    agent = await startSnmpd();
    group = createSnmpExecutors({ log: logs.log });
  });
  after(async () => {
    await group?.close();
    await agent?.stop();
  });

  test('snmp.get v2c: system group values, noSuchObject and noSuchInstance', async () => {
    const { outcome } = await run('snmp.get', { ...v2(), oids: [SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME, '1.3.6.1.2.1.1.99.0', '1.3.6.1.2.1.1.5.1'] });
    const [descr, objectId, uptime, noObject, noInstance] = varbindsOf(outcome);
    assert.equal(descr!.type, 'OctetString');
    assert.equal(typeof descr!.value, 'string');
    assert.equal(Buffer.from(descr!.hex!, 'hex').toString('utf8'), descr!.value);
    assert.deepEqual(objectId, { oid: SYS_OBJECT_ID, type: 'ObjectIdentifier', value: '1.3.6.1.4.1.8072.3.2.10' });
    assert.equal(uptime!.type, 'TimeTicks');
    assert.equal(typeof uptime!.value, 'number');
    assert.deepEqual(noObject, { oid: '1.3.6.1.2.1.1.99.0', type: 'noSuchObject', value: null });
    assert.deepEqual(noInstance, { oid: '1.3.6.1.2.1.1.5.1', type: 'noSuchInstance', value: null });
  });

  test('snmp.get v1: a missing OID is E_SNMP_NO_SUCH_NAME', async () => {
    const ok = await run('snmp.get', { version: '1', community: agent.communities.ro, oids: [SYS_NAME] });
    assert.equal(varbindsOf(ok.outcome)[0]!.type, 'OctetString');
    const { outcome } = await run('snmp.get', { version: '1', community: agent.communities.ro, oids: [SYS_NAME, '1.3.6.1.2.1.1.99.0'] });
    assert.equal(outcome.status, 'error');
    assert.equal(outcome.status === 'error' && outcome.error.code, 'E_SNMP_NO_SUCH_NAME');
  });

  test('snmp.getnext returns the following instances', async () => {
    const { outcome } = await run('snmp.getnext', { ...v2(), oids: [SYS_DESCR, SYSTEM] });
    assert.deepEqual(varbindsOf(outcome).map((vb) => vb.oid), [SYS_OBJECT_ID, SYS_DESCR]);
  });

  test('snmp.getbulk keeps PDU order (non-repeaters, then repetitions)', async () => {
    const { outcome } = await run('snmp.getbulk', { ...v2(), oids: [SYS_UPTIME.slice(0, -2), SYSTEM, '1.3.6.1.2.1.2'], nonRepeaters: 1, maxRepetitions: 3 });
    const vbs = varbindsOf(outcome);
    assert.equal(vbs.length, 7);
    assert.equal(vbs[0]!.oid, SYS_UPTIME);
    assert.deepEqual(vbs.slice(1, 3).map((vb) => vb.oid), [SYS_DESCR, '1.3.6.1.2.1.2.1.0']);
    assert.deepEqual(vbs.slice(3, 5).map((vb) => vb.oid)[0], SYS_OBJECT_ID);
  });

  test('snmp.walk: v2c (getbulk) and v1 (getnext) see the same system subtree', async () => {
    const v2walk = okData((await run('snmp.walk', { ...v2(), oid: SYSTEM, maxRepetitions: 4 })).outcome);
    const v1walk = okData((await run('snmp.walk', { version: '1', community: agent.communities.ro, oid: SYSTEM })).outcome);
    assert.equal(v2walk.truncated, false);
    assert.equal(v1walk.truncated, false);
    const oids = (v2walk.varbinds as Array<{ oid: string }>).map((vb) => vb.oid);
    assert.ok(oids.length > 8, `only ${oids.length} rows`);
    assert.ok(oids.every((oid) => oid.startsWith(`${SYSTEM}.`)));
    assert.deepEqual((v1walk.varbinds as Array<{ oid: string }>).map((vb) => vb.oid), oids);
  });

  test('snmp.walk: past the end of the MIB is empty, a leaf root returns itself, maxRows truncates', async () => {
    assert.deepEqual(okData((await run('snmp.walk', { ...v2(), oid: '1.3.6.1.99' })).outcome), { varbinds: [], truncated: false });
    const leaf = okData((await run('snmp.walk', { ...v2(), oid: SYS_NAME })).outcome);
    assert.deepEqual((leaf.varbinds as Array<{ oid: string }>).map((vb) => vb.oid), [SYS_NAME]);
    const cut = okData((await run('snmp.walk', { ...v2(), oid: SYSTEM, maxRows: 3 })).outcome);
    assert.equal((cut.varbinds as unknown[]).length, 3);
    assert.equal(cut.truncated, true);
  });

  test('snmp.set via the rw community, and the error statuses of refused sets', async () => {
    const rw = { version: '2c', community: agent.communities.rw };
    const set = await run('snmp.set', { ...rw, varbinds: [{ oid: SYS_CONTACT, type: 'OctetString', value: 'noc@example.net' }] });
    assert.deepEqual(varbindsOf(set.outcome), [{ oid: SYS_CONTACT, type: 'OctetString', value: 'noc@example.net', hex: Buffer.from('noc@example.net').toString('hex') }]);
    assert.equal(varbindsOf((await run('snmp.get', { ...v2(), oids: [SYS_CONTACT] })).outcome)[0]!.value, 'noc@example.net');

    // sysLocation is a DisplayString (snmpd refuses control bytes with wrongValue), so the hex form carries text here.
    const hex = await run('snmp.set', { ...rw, varbinds: [{ oid: '1.3.6.1.2.1.1.6.0', type: 'OctetStringHex', value: '4c61622d33' }] });
    assert.deepEqual(varbindsOf(hex.outcome), [{ oid: '1.3.6.1.2.1.1.6.0', type: 'OctetString', value: 'Lab-3', hex: '4c61622d33' }]);
    const control = await run('snmp.set', { ...rw, varbinds: [{ oid: '1.3.6.1.2.1.1.6.0', type: 'OctetStringHex', value: '00ff10' }] });
    assert.equal(control.outcome.status === 'error' && control.outcome.error.code, 'E_SNMP_WRONG_VALUE');

    const code = async (params: Record<string, unknown>) => {
      const { outcome } = await run('snmp.set', params);
      assert.equal(outcome.status, 'error');
      return outcome.status === 'error' ? outcome.error.code : '';
    };
    assert.equal(await code({ ...rw, varbinds: [{ oid: SYS_DESCR, type: 'OctetString', value: 'x' }] }), 'E_SNMP_NOT_WRITABLE');
    assert.equal(await code({ ...rw, varbinds: [{ oid: SYS_CONTACT, type: 'Integer', value: 5 }] }), 'E_SNMP_WRONG_TYPE');
    assert.equal(await code({ ...v2(), varbinds: [{ oid: SYS_CONTACT, type: 'OctetString', value: 'x' }] }), 'E_SNMP_NO_ACCESS');
    assert.equal(await code({ version: '1', community: agent.communities.rw, varbinds: [{ oid: SYS_DESCR, type: 'OctetString', value: 'x' }] }), 'E_SNMP_NO_SUCH_NAME');
  });

  test('snmp.get v3: every user (each auth x priv combination) reads sysName.0', async (t) => {
    assert.equal(agent.v3Users.length, 31);
    for (const user of agent.v3Users) {
      await t.test(user.user, async () => {
        const { outcome } = await run('snmp.get', { version: '3', v3: user, oids: [SYS_NAME] });
        const [vb] = varbindsOf(outcome);
        assert.equal(vb!.oid, SYS_NAME);
        assert.equal(vb!.type, 'OctetString');
      });
    }
  });

  test('snmp.walk and snmp.set over v3 authPriv (DES and AES-256 Reeder)', async () => {
    for (const name of ['u_sha_des', 'u_sha512_aes256r', 'u_md5_aes256b']) {
      const user = agent.v3Users.find((u) => u.user === name)!;
      const walked = okData((await run('snmp.walk', { version: '3', v3: user, oid: SYSTEM, maxRepetitions: 3 })).outcome);
      assert.ok((walked.varbinds as unknown[]).length > 8, name);
      const value = `set-by-${name}`;
      const set = await run('snmp.set', { version: '3', v3: user, varbinds: [{ oid: '1.3.6.1.2.1.1.6.0', type: 'OctetString', value }] });
      assert.equal(varbindsOf(set.outcome)[0]!.value, value);
    }
  });

  test('wrong credentials: bad community and bad privKey time out, bad authKey and unknown user are E_AUTH', async () => {
    const wrongCommunity = await run('snmp.get', { version: '2c', community: 'not-the-community', oids: [SYS_NAME], retries: 0 }, 800);
    assert.equal(wrongCommunity.outcome.status === 'error' && wrongCommunity.outcome.error.code, 'E_TIMEOUT');

    const user = agent.v3Users.find((u) => u.user === 'u_sha256_aes')!;
    // snmpd answers a wrong digest and an unknown user with USM report PDUs, which net-snmp surfaces: E_AUTH.
    // A wrong privKey decrypts to garbage that snmpd drops as a parse error without a report, so the
    // job can only time out (snmpget behaves the same: "Timeout").
    const cases = [
      { v3: { ...user, authKey: 'wrong-auth-key' }, code: 'E_AUTH', message: /Wrong Digest/ },
      { v3: { ...user, user: 'nobody' }, code: 'E_AUTH', message: /Unknown User Name/ },
      { v3: { ...user, privKey: 'wrong-priv-key' }, code: 'E_TIMEOUT', message: /no SNMP answer/ },
    ];
    for (const { v3, code, message } of cases) {
      const { outcome } = await run('snmp.get', { version: '3', v3, oids: [SYS_NAME], retries: 0 }, 1_000);
      assert.equal(outcome.status, 'error');
      assert.equal(outcome.status === 'error' && outcome.error.code, code, JSON.stringify(outcome));
      assert.match(outcome.status === 'error' ? outcome.error.message : '', message);
    }
  });

  test('secrets never reach results or logs', async () => {
    const user = agent.v3Users.find((u) => u.user === 'u_sha384_des')!;
    const jobs = [
      { type: 'snmp.get', params: { ...v2(), oids: [SYS_NAME] } },
      { type: 'snmp.get', params: { version: '2c', community: 'bad-community-xyz', oids: [SYS_NAME], retries: 0 } },
      { type: 'snmp.walk', params: { version: '3', v3: user, oid: SYSTEM } },
      { type: 'snmp.get', params: { version: '3', v3: { ...user, authKey: 'wrong-auth-secret' }, oids: [SYS_NAME], retries: 0 } },
      { type: 'snmp.set', params: { version: '2c', community: agent.communities.rw, varbinds: [{ oid: SYS_CONTACT, type: 'OctetString', value: 'ops' }] } },
    ];
    const results: unknown[] = [];
    for (const job of jobs) {
      results.push(await runSnmpJobThroughRuntime(group, { ...job, target: target(), timeoutMs: 1_500 }, logs.log));
    }
    const published = JSON.stringify(results);
    const logText = logs.text();
    assert.ok(logText.length > 0, 'the logger captured nothing');
    for (const secret of [agent.communities.ro, agent.communities.rw, 'bad-community-xyz', user.authKey!, user.privKey!, 'wrong-auth-secret']) {
      assert.ok(!published.includes(secret), `secret ${secret} in results`);
      assert.ok(!logText.includes(secret), `secret ${secret} in logs`);
    }
  });
});
