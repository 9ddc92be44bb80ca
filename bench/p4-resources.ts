import { createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { JobClient } from '../appliance/lib/job/job-client.js';
import { jobQueueName } from '../poller/lib/broker/topology.js';
import { createVhost } from '../test/support/broker.js';
import { bySize } from './lib/bench-options.js';
import { makeRow, round, type BenchRow } from './lib/bench-row.js';
import { startBenchPoller } from './lib/bench-poller.js';
import { startBenchSnmpd } from './lib/bench-snmpd.js';
import { driveLoad } from './lib/load-driver.js';
import { countFds, readMemory } from './lib/proc-stats.js';
import type { RowContext } from './lib/row-context.js';
import { startSilentTargets } from './lib/silent-targets.js';
import { DEFAULT_MAX_PER_TARGET } from '../poller/lib/executors/snmp/snmp-executors.js';

const SLOW_JOB_MS = 3_000;

/**
 * P4: (a) peak RSS (VmHWM) of a poller holding 2,000 jobs at once
 * (USM_POLLER_CONCURRENCY=2000, snmp.get to 125 silent devices (the per-device cap is 16), each job
 * waiting out its 3 s budget); (b) its open descriptors before and after
 * 100,000 jobs (snmp.get to snmpd and tcp.check, alternating).
 */
export async function runP4(ctx: RowContext): Promise<BenchRow[]> {
  const size = bySize(ctx.profile, {
    full: { inFlight: 2_000, jobs: 100_000 },
    quick: { inFlight: 2_000, jobs: 10_000 },
    smoke: { inFlight: 200, jobs: 500 },
  });
  const vhost = await createVhost('bench-p4');
  ctx.cleanup.push('vhost', () => vhost.remove());
  const client = await JobClient.open(vhost.dsn);
  ctx.cleanup.push('job client', () => client.close());
  return [await measureMemory(ctx, vhost.dsn, client, size.inFlight), await measureFds(ctx, vhost.dsn, client, size.jobs)];
}

async function measureMemory(ctx: RowContext, dsn: string, client: JobClient, inFlight: number): Promise<BenchRow> {
  const silent = await startSilentTargets(Math.ceil(inFlight / DEFAULT_MAX_PER_TARGET));
  ctx.cleanup.push('silent targets', () => silent.close());
  const satelliteId = 'bench-p4-mem';
  const poller = await startBenchPoller({ env: { US_AMQP_DSN: dsn, USM_POLLER_SATELLITE_ID: satelliteId, USM_POLLER_CONCURRENCY: String(inFlight) }, cpuProfDir: ctx.cpuProfDir, bin: ctx.pollerBin, label: 'p4 memory poller' });
  ctx.cleanup.push(poller.label, () => poller.stop());
  await sleep(500);
  const idle = await readMemory(poller.pid);

  const queue = jobQueueName(satelliteId);
  let returned = 0;
  let publishedBeforeFirstResult = -1;
  let published = 0;
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const replies = Array.from({ length: inFlight }, (_, i) => {
    published++;
    return client
      .request(queue, {
        v: 1, type: 'snmp.get', target: { host: '127.0.0.1', port: silent.ports[i % silent.ports.length]! }, timeoutMs: SLOW_JOB_MS,
        params: { version: '2c', community: 'bench-silent', oids: ['1.3.6.1.2.1.1.5.0'], retries: 0 },
      }, SLOW_JOB_MS + 60_000)
      .then((reply) => {
        if (returned++ === 0) publishedBeforeFirstResult = published;
        statuses[String(reply.result.status)] = (statuses[String(reply.result.status)] ?? 0) + 1;
      }, () => { statuses.lost = (statuses.lost ?? 0) + 1; });
  });
  let maxRss = idle.rssMb;
  const sampler = setInterval(() => {
    void readMemory(poller.pid).then((m) => { maxRss = Math.max(maxRss, m.rssMb); }, () => {});
  }, 100);
  await Promise.all(replies);
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  const after = await readMemory(poller.pid);
  ctx.note(`p4: idle ${round(idle.rssMb, 1)} MB, peak ${round(after.peakMb, 1)} MB with ${inFlight} jobs (${JSON.stringify(statuses)}) in ${round(seconds, 1)} s`);
  await poller.stop();
  await silent.close();
  return makeRow({
    id: 'p4a',
    title: `peak RSS (VmHWM) of a poller holding ${inFlight.toLocaleString('en')} jobs at once (concurrency ${inFlight}, snmp.get to ${silent.ports.length} silent devices, ${SLOW_JOB_MS / 1000} s budget each)`,
    figure: { label: `peak with ${inFlight} in flight`, value: round(after.peakMb, 1), unit: 'MB' },
    reference: { label: 'same process idle', value: round(idle.rssMb, 1), unit: 'MB' },
    target: { on: 'figure', op: '<=', value: 200, text: '<= 200 MB' },
    details: { jobs: inFlight, statuses, publishedBeforeFirstResult, seconds: round(seconds, 1), sampledMaxRssMb: round(maxRss, 1), rssAfterMb: round(after.rssMb, 1) },
  });
}

async function measureFds(ctx: RowContext, dsn: string, client: JobClient, jobs: number): Promise<BenchRow> {
  const agent = await startBenchSnmpd();
  ctx.cleanup.push('snmpd', () => agent.stop());
  const sockets = new Set<Socket>();
  const tcp = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve()));
  ctx.cleanup.push('tcp listener', () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    tcp.close(() => resolve());
  }));
  const tcpPort = (tcp.address() as { port: number }).port;
  const satelliteId = 'bench-p4-fd';
  const poller = await startBenchPoller({ env: { US_AMQP_DSN: dsn, USM_POLLER_SATELLITE_ID: satelliteId }, cpuProfDir: ctx.cpuProfDir, bin: ctx.pollerBin, label: 'p4 fd poller' });
  ctx.cleanup.push(poller.label, () => poller.stop());
  const queue = jobQueueName(satelliteId);
  const makeJob = (i: number) =>
    i % 2 === 0
      ? { v: 1, type: 'snmp.get', target: { host: agent.host, port: agent.port }, timeoutMs: 10_000, params: { version: '2c', community: agent.community, oids: ['1.3.6.1.2.1.1.5.0'] } }
      : { v: 1, type: 'tcp.check', target: { host: '127.0.0.1', port: tcpPort }, timeoutMs: 10_000, params: {} };

  const warm = await driveLoad(client, queue, makeJob, { window: 128, count: Math.min(2_000, jobs) });
  const settle = () => sleep(1_500); // closing sockets finish on later loop turns
  await settle();
  const before = await countFds(poller.pid);
  const memBefore = await readMemory(poller.pid);
  const run = await driveLoad(client, queue, makeJob, { window: 128, count: jobs });
  await settle();
  const after = await countFds(poller.pid);
  const memAfter = await readMemory(poller.pid);
  ctx.note(`p4: fds ${before} -> ${after} over ${jobs} jobs (${run.jobsPerSecond} jobs/s, ${JSON.stringify(run.byStatus)}); RSS ${round(memBefore.rssMb, 1)} -> ${round(memAfter.rssMb, 1)} MB`);
  return makeRow({
    id: 'p4b',
    title: `open descriptors (/proc/<pid>/fd) of a poller before and after ${jobs.toLocaleString('en')} jobs (snmp.get and tcp.check alternating, concurrency 64)`,
    figure: { label: `after ${jobs} jobs`, value: after, unit: 'fds' },
    reference: { label: 'before', value: before, unit: 'fds' },
    target: { on: 'difference', op: '<=', value: 10, text: '<= +10 fds' },
    details: { jobs, warmupJobs: warm.sent, byStatus: run.byStatus, jobsPerSecond: run.jobsPerSecond, rssBeforeMb: round(memBefore.rssMb, 1), rssAfterMb: round(memAfter.rssMb, 1) },
  });
}
