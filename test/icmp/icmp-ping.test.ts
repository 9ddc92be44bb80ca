import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createIcmpExecutors } from '../../poller/lib/executors/icmp/icmp-executors.js';
import type { IcmpExecutorSettings } from '../../poller/lib/executors/icmp/icmp-executors.js';
import type { HostResult } from '../../poller/lib/executors/icmp/host-result.js';
import type { ExecutorGroup, Outcome } from '../../poller/lib/executors/executor.js';
import { icmpParamsSchema } from '../../poller/lib/executors/icmp/icmp-params.js';
import { executeJob } from '../../poller/lib/runtime/execute-job.js';
import { createSilentLogger } from '../../common/logger.js';
import { createIcmpNetns } from './icmp-netns.js';
import type { IcmpNetns } from './icmp-netns.js';

/**
 * Real fping and iputils ping. Outside a namespace only 127/8 and ::1 are
 * pinged; silent hosts, unknown names and missing privileges are produced in a
 * namespace made here (see icmp-netns.ts) and removed in after().
 */
const log = createSilentLogger();
const TEST = { timeout: 60_000 };

interface Run {
  outcome: Outcome;
  partial: Record<string, unknown> | null;
}

function runPing(
  group: ExecutorGroup,
  job: { host?: string; params: Record<string, unknown> },
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<Run> & { partial(): HostResult[] | undefined } {
  const timeoutMs = options.timeoutMs ?? 20_000;
  let partial: Record<string, unknown> | null = null;
  const executor = group.executors.find((e) => e.type === 'icmp.ping')!;
  const params = icmpParamsSchema.parse(job.params);
  const running = executor
    .run(
      { id: 't', type: 'icmp.ping', target: job.host ? { host: job.host } : undefined, params, timeoutMs },
      {
        signal: options.signal ?? AbortSignal.timeout(timeoutMs),
        deadline: Date.now() + timeoutMs,
        log,
        setPartial: (data) => { partial = data; },
      },
    )
    .then((outcome) => ({ outcome, partial }));
  return Object.assign(running, { partial: () => (partial as { hosts?: HostResult[] } | null)?.hosts });
}

function hostsOf(outcome: Outcome): HostResult[] {
  assert.equal(outcome.status, 'ok', JSON.stringify(outcome));
  return (outcome.data as { hosts: HostResult[] }).hosts;
}

function byHost(results: HostResult[]): Map<string, HostResult> {
  return new Map(results.map((result) => [result.host, result]));
}

function assertAlive(result: HostResult | undefined, count: number): void {
  assert.ok(result, 'missing host');
  assert.equal(result.alive, true, JSON.stringify(result));
  assert.equal(result.sent, count);
  assert.equal(result.received, count);
  assert.equal(result.lossPct, 0);
  for (const value of Object.values(result.rttMs)) assert.ok(typeof value === 'number' && value >= 0);
  assert.ok(result.rttMs.min! <= result.rttMs.avg! && result.rttMs.avg! <= result.rttMs.max!);
}

function assertSilent(result: HostResult | undefined, sent: number): void {
  assert.deepEqual(result && { ...result, host: '' }, {
    host: '', alive: false, sent, received: 0, lossPct: 100, rttMs: { min: null, avg: null, max: null },
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ESRCH');
    return false;
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const readPid = async (file: string) => {
  const text = await readFile(file, 'utf8').catch(() => '');
  return /^\d+\n$/.test(text) ? Number(text) : undefined;
};

function withGroup(settings: IcmpExecutorSettings = {}): ExecutorGroup {
  const group = createIcmpExecutors({ log }, settings);
  after(() => group.close());
  return group;
}

describe('icmp.ping on loopback (fping on PATH)', () => {
  const group = withGroup();

  it('pings one target', TEST, async () => {
    const { outcome } = await runPing(group, { host: '127.0.0.1', params: { count: 2, intervalMs: 10 } });
    const results = hostsOf(outcome);
    assert.equal(results.length, 1);
    assertAlive(results[0], 2);
    assert.equal(results[0]!.host, '127.0.0.1');
  });

  it('sweeps 1,024 addresses in one job, results in request order', TEST, async () => {
    const hosts = Array.from({ length: 1024 }, (_, i) => `127.1.${i >> 8}.${i & 255}`);
    const { outcome } = await runPing(group, { params: { hosts, count: 2, intervalMs: 10 } });
    const results = hostsOf(outcome);
    assert.deepEqual(results.map((r) => r.host), hosts);
    for (const result of results) assertAlive(result, 2);
  });

  it('pings ::1 and answers each duplicate host once', TEST, async () => {
    const { outcome } = await runPing(group, { params: { hosts: ['::1', '127.0.0.1', '::1'], count: 1, intervalMs: 10 } });
    const results = hostsOf(outcome);
    assert.deepEqual(results.map((r) => r.host), ['::1', '127.0.0.1']);
    for (const result of results) assertAlive(result, 1);
  });
});

describe('icmp.ping in a test namespace', () => {
  let netns: IcmpNetns;
  let fping: string;
  let ping: string;
  const pidFile = () => join(netns.dir, 'child.pid');
  before(async () => {
    netns = await createIcmpNetns();
    fping = await netns.wrap('fping', '/usr/bin/fping');
    ping = await netns.wrap('ping', '/usr/bin/ping');
  });
  after(() => netns?.remove());

  const mixed = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '::1', 'nonexistent.invalid'];
  const assertMixed = (results: HostResult[]) => {
    const map = byHost(results);
    assert.deepEqual(results.map((r) => r.host), mixed);
    assertAlive(map.get('127.0.0.1'), 2);
    assertAlive(map.get('::1'), 2);
    assertSilent(map.get('127.0.0.2'), 2); // dropped by nftables
    assertSilent(map.get('127.0.0.3'), 2); // rejected: ICMP host unreachable
    assertSilent(map.get('nonexistent.invalid'), 0); // never resolved, nothing sent
  };

  it('reports unknown names as not alive with nothing sent', TEST, async () => {
    const group = withGroup({ fpingPath: fping, pingPath: null });
    const { outcome } = await runPing(group, { host: 'nonexistent.invalid', params: { count: 2, intervalMs: 10 } });
    const results = hostsOf(outcome);
    assert.equal(results.length, 1);
    assertSilent(results[0], 0);
  });

  it('fping: silent, unreachable and unknown hosts are results, not errors', TEST, async () => {
    const group = withGroup({ fpingPath: fping, pingPath: null });
    assertMixed(hostsOf((await runPing(group, { params: { hosts: mixed, count: 2, intervalMs: 20 } })).outcome));
  });

  it('ping fallback (fping missing) gives the same results', TEST, async () => {
    const group = withGroup({ fpingPath: null, pingPath: ping, pingConcurrency: 2 });
    assertMixed(hostsOf((await runPing(group, { params: { hosts: mixed, count: 2, intervalMs: 20 } })).outcome));
  });

  for (const tool of ['fping', 'ping'] as const) {
    it(`${tool}: abort kills the child, leaves no zombie, and reports partial data`, TEST, async () => {
      await rm(pidFile(), { force: true });
      const wrapped = await netns.wrap(`${tool}-pid`, `/usr/bin/${tool}`, { pidFile: pidFile() });
      const group = withGroup(tool === 'fping' ? { fpingPath: wrapped, pingPath: null } : { fpingPath: null, pingPath: wrapped });
      // The first job settles the fping probe, so the pid file then belongs to the long run.
      hostsOf((await runPing(group, { host: '127.0.0.1', params: { count: 1, intervalMs: 10 } })).outcome);
      await rm(pidFile(), { force: true });

      const controller = new AbortController();
      const running = runPing(group, { host: '127.0.0.1', params: { count: 100, intervalMs: 100 } }, { signal: controller.signal });
      const pid = await waitFor('the child pid', () => readPid(pidFile()));
      await waitFor('two echoes', () => ((running.partial()?.[0]?.received ?? 0) >= 2 ? true : undefined));
      assert.ok(isRunning(pid));
      controller.abort();
      const { outcome, partial } = await running;
      assert.equal(outcome.status, 'error');
      assert.equal((outcome as { error: { code: string } }).error.code, 'E_TIMEOUT');
      assert.equal(isRunning(pid), false, 'child still exists after the run ended');
      const known = (partial as { hosts: HostResult[] }).hosts[0]!;
      assert.equal(known.host, '127.0.0.1');
      assert.equal(known.alive, true);
      assert.ok(known.received >= 2 && known.received < 100, JSON.stringify(known));
    });
  }

  it('close() kills running children', TEST, async () => {
    await rm(pidFile(), { force: true });
    const wrapped = await netns.wrap('fping-close', '/usr/bin/fping', { pidFile: pidFile() });
    const group = createIcmpExecutors({ log }, { fpingPath: wrapped, pingPath: null });
    hostsOf((await runPing(group, { host: '127.0.0.1', params: { count: 1, intervalMs: 10 } })).outcome);
    await rm(pidFile(), { force: true });
    const running = runPing(group, { params: { hosts: ['127.0.0.1', '127.0.0.2'], count: 100, intervalMs: 100 } });
    const pid = await waitFor('the child pid', () => readPid(pidFile()));
    await group.close();
    assert.equal(isRunning(pid), false);
    const { outcome } = await running;
    assert.equal(outcome.status, 'error');
  });

  it('a job past its deadline ends as timeout with the echoes seen so far', TEST, async () => {
    const group = withGroup({ fpingPath: fping, pingPath: null });
    const executor = group.executors[0]!;
    const result = await executeJob(
      {
        id: 'deadline',
        type: 'icmp.ping',
        target: undefined,
        timeoutMs: 1500,
        expiresAt: undefined,
        params: icmpParamsSchema.parse({ hosts: ['127.0.0.1', '127.0.0.2', 'nonexistent.invalid'], count: 100, intervalMs: 100 }),
        executor,
        secrets: [],
      },
      { log },
    );
    assert.equal(result.status, 'timeout');
    const map = byHost((result.data as { hosts: HostResult[] }).hosts);
    const alive = map.get('127.0.0.1')!;
    assert.equal(alive.alive, true);
    assert.ok(alive.received >= 3 && alive.received < 100, JSON.stringify(alive));
    assert.equal(map.get('127.0.0.2')!.alive, false);
    assertSilent(map.get('nonexistent.invalid'), 0);
  });

  describe('without root', () => {
    let fpingNobody: string;
    let pingNobody: string;
    before(async () => {
      fpingNobody = await netns.wrap('fping-nobody', await netns.copyWithoutCaps('/usr/bin/fping'), { asNobody: true });
      pingNobody = await netns.wrap('ping-nobody', await netns.copyWithoutCaps('/usr/bin/ping'), { asNobody: true });
    });

    it('works through unprivileged ICMP sockets when ping_group_range allows them', TEST, async () => {
      await netns.setUnprivilegedIcmp(true);
      // fping 5.1 cannot read replies on such sockets; the probe notices and ping takes over.
      const group = withGroup({ fpingPath: fpingNobody, pingPath: pingNobody });
      const results = hostsOf((await runPing(group, { params: { hosts: ['127.0.0.1', '::1', '127.0.0.2'], count: 2, intervalMs: 20 } })).outcome);
      const map = byHost(results);
      assertAlive(map.get('127.0.0.1'), 2);
      assertAlive(map.get('::1'), 2);
      assertSilent(map.get('127.0.0.2'), 2);
    });

    for (const [name, settings] of [
      ['fping and ping', () => ({ fpingPath: fpingNobody, pingPath: pingNobody })],
      ['fping only', () => ({ fpingPath: fpingNobody, pingPath: null })],
      ['ping only', () => ({ fpingPath: null, pingPath: pingNobody })],
    ] as const) {
      it(`says E_ICMP_PERMISSION with the fix when neither CAP_NET_RAW nor ping_group_range allow ICMP (${name})`, TEST, async () => {
        await netns.setUnprivilegedIcmp(false);
        const group = withGroup(settings());
        const { outcome } = await runPing(group, { host: '127.0.0.1', params: { count: 1, intervalMs: 10 } });
        assert.equal(outcome.status, 'error');
        const { error } = outcome as { error: { code: string; message: string } };
        assert.equal(error.code, 'E_ICMP_PERMISSION');
        assert.match(error.message, /CAP_NET_RAW/);
        assert.match(error.message, /net\.ipv4\.ping_group_range/);
      });
    }
  });
});

describe('icmp.ping without any tool', () => {
  it('says which tools are missing', TEST, async () => {
    const group = withGroup({ fpingPath: null, pingPath: null });
    const { outcome } = await runPing(group, { host: '127.0.0.1', params: { count: 1 } });
    assert.equal(outcome.status, 'error');
    assert.equal((outcome as { error: { code: string } }).error.code, 'E_ICMP_UNAVAILABLE');
  });
});
