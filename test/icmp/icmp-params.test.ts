import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJob } from '../../poller/lib/protocol/decode-job.js';
import { createIcmpExecutors } from '../../poller/lib/executors/icmp/icmp-executors.js';
import { buildFpingArgs, buildPingArgs, planPings } from '../../poller/lib/executors/icmp/icmp-args.js';
import { createSilentLogger } from '../../common/logger.js';

// Decoding never starts a process, so these run without touching the network.
const group = createIcmpExecutors({ log: createSilentLogger() }, { fpingPath: null, pingPath: null });
const lookup = (type: string) => group.executors.find((executor) => executor.type === type);
const options = { maxBytes: 1_000_000, lookup };
const decode = (job: Record<string, unknown>) => decodeJob(Buffer.from(JSON.stringify({ v: 1, id: 'p1', type: 'icmp.ping', ...job })), {}, options);
const problemsOf = (job: Record<string, unknown>) => {
  const decoded = decode(job);
  assert.ok(!decoded.ok, 'expected an invalid job');
  return decoded.invalid.problems;
};
const sweep = (n: number) => Array.from({ length: n }, (_, i) => `127.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);

describe('icmp.ping params', () => {
  it('applies defaults for a single target', () => {
    const decoded = decode({ target: { host: '127.0.0.1' } });
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.job.params, { count: 3, intervalMs: 1000, sizeBytes: 56 });
  });

  it('accepts a sweep of 4,096 hosts without a target', () => {
    const decoded = decode({ params: { hosts: sweep(4096), count: 1 } });
    assert.ok(decoded.ok);
    assert.equal((decoded.job.params as { hosts: string[] }).hosts.length, 4096);
  });

  it('rejects 4,097 hosts, naming params.hosts', () => {
    const problems = problemsOf({ params: { hosts: sweep(4097) } });
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^params\.hosts: /);
  });

  const invalid: Array<[string, Record<string, unknown>, RegExp]> = [
    ['count 0', { target: { host: '127.0.0.1' }, params: { count: 0 } }, /^params\.count: /],
    ['count 101', { target: { host: '127.0.0.1' }, params: { count: 101 } }, /^params\.count: /],
    ['fractional count', { target: { host: '127.0.0.1' }, params: { count: 1.5 } }, /^params\.count: /],
    ['interval under 10 ms', { target: { host: '127.0.0.1' }, params: { intervalMs: 5 } }, /^params\.intervalMs: /],
    ['size too large', { target: { host: '127.0.0.1' }, params: { sizeBytes: 70000 } }, /^params\.sizeBytes: /],
    ['bad host in a sweep', { params: { hosts: ['127.0.0.1', 'a b'] } }, /^params\.hosts\.1: /],
    ['empty sweep', { params: { hosts: [] } }, /^params\.hosts: /],
    ['unknown param', { target: { host: '127.0.0.1' }, params: { ttl: 3 } }, /unknown key\(s\) "ttl"/],
    ['both target and hosts', { target: { host: '127.0.0.1' }, params: { hosts: ['127.0.0.2'] } }, /^params\.hosts: give either target or params\.hosts, not both/],
    ['neither target nor hosts', { params: { count: 1 } }, /^target: required \(or params\.hosts/],
  ];
  for (const [name, job, expected] of invalid) {
    it(`rejects ${name}`, () => {
      const problems = problemsOf(job);
      assert.ok(problems.some((problem) => expected.test(problem)), problems.join(' | '));
    });
  }
});

describe('icmp argv (pure)', () => {
  it('spreads a big sweep at 1 ms per packet and small ones at up to 10 ms', () => {
    assert.equal(planPings({ count: 3, intervalMs: 1000, sizeBytes: 56 }, 1024).gapMs, 1);
    assert.equal(planPings({ count: 3, intervalMs: 1000, sizeBytes: 56 }, 4).gapMs, 10);
    assert.equal(planPings({ count: 3, intervalMs: 5000, sizeBytes: 56 }, 1).timeoutMs, 2000);
  });

  it('goes under 1 ms per packet only when the sweep would not fit half the budget', () => {
    assert.equal(planPings({ count: 3, intervalMs: 1000, sizeBytes: 56 }, 1024, 10_000).gapMs, 1);
    assert.equal(planPings({ count: 3, intervalMs: 1000, sizeBytes: 56 }, 4096, 10_000).gapMs, 0.4);
    assert.equal(planPings({ count: 100, intervalMs: 1000, sizeBytes: 56 }, 4096, 1000).gapMs, 0.1);
  });

  it('passes hosts to fping on stdin and after "--" to ping', () => {
    const plan = planPings({ count: 2, intervalMs: 20, sizeBytes: 64 }, 1);
    assert.deepEqual(buildFpingArgs(plan), ['-C', '2', '-p', '20', '-b', '64', '-t', '20', '-i', '10', '-r', '0', '-f', '-']);
    assert.deepEqual(buildPingArgs(plan, '-x'), ['-n', '-c', '2', '-i', '0.02', '-s', '64', '-W', '0.02', '--', '-x']);
  });
});
