import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSilentLogger } from '../../common/logger.js';
import { createSnmpExecutors } from '../../poller/lib/executors/snmp/snmp-executors.js';
import { startSnmpd, type SnmpdHandle } from '../support/snmpd.js';
import { runSnmpJob } from './snmp-job-harness.js';

const countFds = () => readdirSync('/proc/self/fd').length;

/** Socket closes finish on a later loop turn; poll until the count settles at or below `target`. */
async function fdsSettleAt(target: number): Promise<number> {
  let count = countFds();
  for (let i = 0; i < 40 && count > target; i++) {
    await sleep(25);
    count = countFds();
  }
  return count;
}

describe('snmp session pool resources', { timeout: 120_000 }, () => {
  const log = createSilentLogger();
  let agent: SnmpdHandle;
  before(async () => {
    agent = await startSnmpd();
  });
  after(async () => {
    await agent?.stop();
  });
  const target = () => ({ host: agent.host, port: agent.port });

  test('2,000 gets (8 at a time, v2c and v3) keep the fd count flat', async () => {
    const group = createSnmpExecutors({ log });
    try {
      const v3 = agent.v3Users.find((u) => u.user === 'u_sha256_aes')!;
      const paramsFor = (i: number) =>
        i % 2 === 0 ? { version: '2c', community: agent.communities.ro, oids: ['1.3.6.1.2.1.1.3.0'] } : { version: '3', v3, oids: ['1.3.6.1.2.1.1.5.0'] };
      await runSnmpJob(group, 'snmp.get', target(), paramsFor(0), { log });
      await runSnmpJob(group, 'snmp.get', target(), paramsFor(1), { log });
      const before = countFds();
      let ok = 0;
      for (let batch = 0; batch < 250; batch++) {
        const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => runSnmpJob(group, 'snmp.get', target(), paramsFor(i), { log })));
        ok += outcomes.filter(({ outcome }) => outcome.status === 'ok').length;
      }
      const afterJobs = countFds();
      assert.equal(ok, 2_000);
      console.log(`fd count: ${before} before, ${afterJobs} after 2,000 gets`);
      assert.ok(afterJobs <= before, `fds grew from ${before} to ${afterJobs}`);
    } finally {
      await group.close();
    }
  });

  test('idle sessions close after idleMs; close() closes every session', async () => {
    const baseline = countFds();
    const group = createSnmpExecutors({ log }, { idleMs: 100 });
    await runSnmpJob(group, 'snmp.get', target(), { version: '2c', community: agent.communities.ro, oids: ['1.3.6.1.2.1.1.3.0'] }, { log });
    assert.equal(countFds(), baseline + 1, 'one UDP socket for the session');
    assert.equal(await fdsSettleAt(baseline), baseline, 'the idle session was not closed');
    await group.close();

    const longLived = createSnmpExecutors({ log }, { idleMs: 60_000 });
    const users = agent.v3Users.slice(0, 3);
    for (const v3 of users) await runSnmpJob(longLived, 'snmp.get', target(), { version: '3', v3, oids: ['1.3.6.1.2.1.1.5.0'] }, { log });
    await runSnmpJob(longLived, 'snmp.get', target(), { version: '1', community: agent.communities.ro, oids: ['1.3.6.1.2.1.1.5.0'] }, { log });
    assert.equal(countFds(), baseline + 4, 'one socket per target+credentials');
    await longLived.close();
    assert.equal(await fdsSettleAt(baseline), baseline, 'close() left sockets open');
  });
});
