import { JobClient } from '../appliance/lib/job/job-client.js';
import type { RunSummary } from '../appliance/lib/job/latency-summary.js';
import { jobQueueName } from '../poller/lib/broker/topology.js';
import { createVhost } from '../test/support/broker.js';
import { bySize } from './lib/bench-options.js';
import { makeRow, round, type BenchRow } from './lib/bench-row.js';
import { startBenchChild } from './lib/bench-child.js';
import { startBenchPoller } from './lib/bench-poller.js';
import { startBenchSnmpd } from './lib/bench-snmpd.js';
import { driveLoad, type MakeJob } from './lib/load-driver.js';
import { readCpuMs } from './lib/proc-stats.js';
import type { RowContext } from './lib/row-context.js';

const DEFAULT_CONCURRENCY = 64; // the poller's default (USM_POLLER_CONCURRENCY)
const FARM_SIZE = 5;
const RELAY_DELAY_MS = 5; // each way: devices 10 ms away
const FAR_DEVICES = 16; // the poller caps in-flight requests per device at 8: 64 jobs need 8+ devices

/**
 * P1: snmp.get jobs end to end (publish, poller runs it against snmpd, reply
 * consumed) for one poller at its default concurrency, against
 * (1) the transport ceiling: the same request/reply through the same kind of
 *     queue with a do-nothing worker (bench/proc/echo-worker.ts);
 * (2) devices 10 ms away (a delaying UDP relay): one poller against a
 *     seed-style farm of 5 processes at concurrency 1.
 * Both sides of each pair run alternately in the same run; the best round of
 * each side counts (noise on a shared machine only ever slows things down).
 */
export async function runP1(ctx: RowContext): Promise<BenchRow[]> {
  const size = bySize(ctx.profile, {
    full: { rounds: 3, warmupMs: 2_000, durationMs: 10_000, farDurationMs: 8_000 },
    quick: { rounds: 1, warmupMs: 1_000, durationMs: 4_000, farDurationMs: 4_000 },
    smoke: { rounds: 1, warmupMs: 300, durationMs: 1_000, farDurationMs: 1_000 },
  });
  const vhost = await createVhost('bench-p1');
  ctx.cleanup.push('vhost', () => vhost.remove());
  const agent = await startBenchSnmpd();
  ctx.cleanup.push('snmpd', () => agent.stop());
  const client = await JobClient.open(vhost.dsn);
  ctx.cleanup.push('job client', () => client.close());

  const ceilingQueue = jobQueueName('bench-ceiling');
  const worker = await startBenchChild('echo-worker.ts', [vhost.dsn, ceilingQueue, String(DEFAULT_CONCURRENCY)], { cpuProfDir: ctx.cpuProfDir });
  ctx.cleanup.push('echo worker', () => worker.stop());
  const pollerQueue = jobQueueName('bench-p1');
  const poller = await startBenchPoller({ env: { US_AMQP_DSN: vhost.dsn, USM_POLLER_SATELLITE_ID: 'bench-p1' }, cpuProfDir: ctx.cpuProfDir, bin: ctx.pollerBin, label: 'p1 poller' });
  ctx.cleanup.push('p1 poller', () => poller.stop());

  const snmpGet = (ports: readonly number[]): MakeJob => (i) => ({
    v: 1,
    type: 'snmp.get',
    target: { host: agent.host, port: ports[i % ports.length]! },
    timeoutMs: 10_000,
    params: { version: '2c', community: agent.community, oids: ['1.3.6.1.2.1.1.5.0', '1.3.6.1.2.1.1.3.0'] },
  });
  const shape = { window: 2 * DEFAULT_CONCURRENCY, warmupMs: size.warmupMs, durationMs: size.durationMs };

  const ceilingRuns: Watched[] = [];
  const pollerRuns: Watched[] = [];
  for (let round = 0; round < size.rounds; round++) {
    ceilingRuns.push(await driveWatched({ worker: [worker.pid] }, () => driveLoad(client, ceilingQueue, snmpGet([agent.port]), shape)));
    ctx.note(`p1: ceiling ${describe(ceilingRuns.at(-1)!)}`);
    pollerRuns.push(await driveWatched({ poller: [poller.pid] }, () => driveLoad(client, pollerQueue, snmpGet([agent.port]), shape)));
    ctx.note(`p1: poller  ${describe(pollerRuns.at(-1)!)}`);
  }
  await worker.stop();

  // Devices 10 ms away: one relay port per device, all in front of the same snmpd.
  const relay = await startBenchChild('udp-relay.ts', [agent.host, String(agent.port), String(RELAY_DELAY_MS), String(FAR_DEVICES)]);
  ctx.cleanup.push('udp relay', () => relay.stop());
  const relayPorts = (JSON.parse(relay.readyLine) as { ports: number[] }).ports;
  const farmQueue = jobQueueName('bench-farm');
  const farm = await Promise.all(
    Array.from({ length: FARM_SIZE }, (_, i) =>
      startBenchPoller({ env: { US_AMQP_DSN: vhost.dsn, USM_POLLER_SATELLITE_ID: 'bench-farm', USM_POLLER_CONCURRENCY: '1' }, bin: ctx.pollerBin, label: `farm poller ${i + 1}` }),
    ),
  );
  for (const p of farm) ctx.cleanup.push(p.label, () => p.stop());
  const farShape = { warmupMs: size.warmupMs, durationMs: size.farDurationMs };
  const farmRuns: Watched[] = [];
  const farRuns: Watched[] = [];
  for (let round = 0; round < size.rounds; round++) {
    farmRuns.push(await driveWatched({ farm: farm.map((p) => p.pid), relay: [relay.pid] }, () => driveLoad(client, farmQueue, snmpGet(relayPorts), { ...farShape, window: 2 * FARM_SIZE })));
    ctx.note(`p1: farm of ${FARM_SIZE} x concurrency 1, 10 ms away: ${describe(farmRuns.at(-1)!)}`);
    farRuns.push(await driveWatched({ poller: [poller.pid], relay: [relay.pid] }, () => driveLoad(client, pollerQueue, snmpGet(relayPorts), { ...farShape, window: 2 * DEFAULT_CONCURRENCY })));
    ctx.note(`p1: one poller x ${DEFAULT_CONCURRENCY}, 10 ms away: ${describe(farRuns.at(-1)!)}`);
  }

  const ceiling = best(ceilingRuns);
  const ours = best(pollerRuns);
  const farmBest = best(farmRuns);
  const far = best(farRuns);
  return [
    makeRow({
      id: 'p1a',
      title: `snmp.get end to end, one poller at concurrency ${DEFAULT_CONCURRENCY} against local snmpd vs the transport ceiling (same queue type, do-nothing worker, same prefetch)`,
      figure: { label: 'poller', value: ours.jobsPerSecond, unit: 'jobs/s' },
      reference: { label: 'do-nothing worker', value: ceiling.jobsPerSecond, unit: 'jobs/s' },
      target: { on: 'ratio', op: '>=', value: 0.5, text: '>= 0.5x' },
      details: { window: shape.window, seconds: size.durationMs / 1000, rounds: size.rounds, poller: latency(ours), ceiling: latency(ceiling), allRoundsJobsPerSecond: { poller: pollerRuns.map((r) => r.jobsPerSecond), ceiling: ceilingRuns.map((r) => r.jobsPerSecond) } },
    }),
    makeRow({
      id: 'p1b',
      title: `snmp.get to ${FAR_DEVICES} devices 10 ms away (UDP relay, ${RELAY_DELAY_MS} ms each way), one poller at concurrency ${DEFAULT_CONCURRENCY} vs a farm of ${FARM_SIZE} pollers at concurrency 1`,
      figure: { label: 'one poller', value: far.jobsPerSecond, unit: 'jobs/s' },
      reference: { label: `${FARM_SIZE}-process farm`, value: farmBest.jobsPerSecond, unit: 'jobs/s' },
      target: { on: 'ratio', op: '>=', value: 10, text: '>= 10x' },
      details: { seconds: size.farDurationMs / 1000, rounds: size.rounds, onePoller: latency(far), farm: latency(farmBest), allRoundsJobsPerSecond: { onePoller: farRuns.map((r) => r.jobsPerSecond), farm: farmRuns.map((r) => r.jobsPerSecond) } },
    }),
  ];
}

/** Runs the load and adds the CPU time each watched process spent per measured reply (µs/job). */
async function driveWatched(watch: Record<string, number[]>, run: () => Promise<RunSummary>): Promise<RunSummary & { cpuUsPerJob: Record<string, number> }> {
  const cpu = async () => Object.fromEntries(await Promise.all(Object.entries(watch).map(async ([name, pids]) => [name, (await Promise.all(pids.map(readCpuMs))).reduce((a, b) => a + b, 0)] as const)));
  const before = await cpu();
  const started = performance.now();
  const summary = await run();
  const elapsed = (performance.now() - started) / 1000;
  const after = await cpu();
  // Whole-run CPU over whole-run replies (warm-up included on both sides of the division).
  const replies = summary.jobsPerSecond * elapsed;
  const cpuUsPerJob = Object.fromEntries(Object.keys(watch).map((name) => [name, Math.round(((after[name]! - before[name]!) * 1000) / Math.max(1, replies))]));
  return { ...summary, cpuUsPerJob };
}

type Watched = RunSummary & { cpuUsPerJob: Record<string, number> };

function best(runs: readonly Watched[]): Watched {
  return runs.reduce((a, b) => (b.jobsPerSecond > a.jobsPerSecond ? b : a));
}

function latency(run: Watched): Record<string, unknown> {
  return { jobsPerSecond: run.jobsPerSecond, p50Ms: run.latencyMs.p50, p99Ms: run.latencyMs.p99, measuredJobs: run.sent, notOk: run.failed, cpuUsPerJob: run.cpuUsPerJob };
}

function describe(run: Watched): string {
  return `${round(run.jobsPerSecond, 1)} jobs/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, ${run.sent} jobs (${JSON.stringify(run.byStatus)}), CPU µs/job ${JSON.stringify(run.cpuUsPerJob)}`;
}
