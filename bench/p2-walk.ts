import { execa } from 'execa';
import { createSilentLogger } from '../common/logger.js';
import { JobClient } from '../appliance/lib/job/job-client.js';
import { createSnmpExecutors } from '../poller/lib/executors/snmp/snmp-executors.js';
import { jobQueueName } from '../poller/lib/broker/topology.js';
import { createVhost } from '../test/support/broker.js';
import { bySize } from './lib/bench-options.js';
import { makeRow, median, round, type BenchRow } from './lib/bench-row.js';
import { startBenchPoller } from './lib/bench-poller.js';
import { EXTEND_TABLE_OID, startBenchSnmpd } from './lib/bench-snmpd.js';
import type { RowContext } from './lib/row-context.js';
import { runInProcess } from './lib/run-in-process.js';

const MAX_REPETITIONS = 25; // the protocol's default for snmp.walk

/**
 * P2: a 10,000-row walk. Our snmp.walk executor (in-process: decodeJob +
 * executeJob, no broker; and end to end through a poller process) against
 * `snmpbulkwalk -Cr25` on the same snmpd table, median wall time of each.
 */
export async function runP2(ctx: RowContext): Promise<BenchRow[]> {
  const size = bySize(ctx.profile, {
    full: { rows: 10_000, repeats: 15, warmup: 10, e2e: true },
    quick: { rows: 10_000, repeats: 3, warmup: 5, e2e: true },
    smoke: { rows: 300, repeats: 1, warmup: 1, e2e: false },
  });
  const agent = await startBenchSnmpd({ rows: size.rows });
  ctx.cleanup.push('snmpd', () => agent.stop());
  const log = createSilentLogger();
  const group = createSnmpExecutors({ log });
  ctx.cleanup.push('snmp executors', () => group.close());

  const params = { version: '2c', community: agent.community, oid: EXTEND_TABLE_OID, maxRepetitions: MAX_REPETITIONS };
  const job = { v: 1, type: 'snmp.walk', target: { host: agent.host, port: agent.port }, timeoutMs: 120_000, params };
  const ours = async () => {
    const { result, ms } = await runInProcess(group, job, log);
    const rows = (result.data?.varbinds as unknown[] | undefined)?.length ?? 0;
    if (result.status !== 'ok' || rows !== size.rows) throw new Error(`walk returned ${result.status} with ${rows} rows (expected ${size.rows}): ${result.error?.message ?? ''}`);
    return ms;
  };
  const reference = async () => {
    const started = performance.now();
    const out = await execa('snmpbulkwalk', ['-v2c', '-c', agent.community, `-Cr${MAX_REPETITIONS}`, '-On', `udp:${agent.host}:${agent.port}`, EXTEND_TABLE_OID], {
      env: { MIBS: '' }, timeout: 120_000,
    });
    const ms = performance.now() - started;
    const rows = out.stdout.split('\n').filter(Boolean).length;
    if (rows !== size.rows) throw new Error(`snmpbulkwalk printed ${rows} rows (expected ${size.rows})`);
    return ms;
  };

  // A poller walks all day: measure with the JIT warm (the first walks run ~2x slower).
  for (let i = 0; i < size.warmup; i++) await ours();
  await reference();
  const oursMs: number[] = [];
  const refMs: number[] = [];
  // Alternate, so a burst of load from elsewhere hits both sides alike.
  for (let i = 0; i < size.repeats; i++) {
    oursMs.push(await ours());
    refMs.push(await reference());
  }
  ctx.note(`p2: executor ${oursMs.map((n) => round(n, 1)).join(', ')} ms; snmpbulkwalk ${refMs.map((n) => round(n, 1)).join(', ')} ms`);

  let e2e: { medianMs: number; samplesMs: number[] } | null = null;
  if (size.e2e) e2e = await walkEndToEnd(ctx, job, size.repeats, size.rows);

  return [
    makeRow({
      id: 'p2',
      title: `snmp.walk of ${size.rows.toLocaleString('en')} rows (maxRepetitions ${MAX_REPETITIONS}), executor in-process vs snmpbulkwalk -Cr${MAX_REPETITIONS}`,
      figure: { label: 'executor walk, median', value: round(median(oursMs), 1), unit: 'ms' },
      reference: { label: `snmpbulkwalk -Cr${MAX_REPETITIONS}, median`, value: round(median(refMs), 1), unit: 'ms' },
      target: { on: 'ratio', op: '<=', value: 1.2, text: '<= 1.2x' },
      details: {
        rows: size.rows,
        repeats: size.repeats,
        warmupWalks: size.warmup,
        executorMs: oursMs.map((n) => round(n, 1)),
        snmpbulkwalkMs: refMs.map((n) => round(n, 1)),
        endToEndMedianMs: e2e ? round(e2e.medianMs, 1) : null,
        endToEndMs: e2e?.samplesMs.map((n) => round(n, 1)) ?? null,
        endToEndRatio: e2e ? round(e2e.medianMs / median(refMs), 3) : null,
      },
    }),
  ];
}

async function walkEndToEnd(ctx: RowContext, job: Record<string, unknown>, repeats: number, rows: number): Promise<{ medianMs: number; samplesMs: number[] }> {
  const vhost = await createVhost('bench-p2');
  ctx.cleanup.push('vhost', () => vhost.remove());
  const satelliteId = 'bench-p2';
  const poller = await startBenchPoller({ env: { US_AMQP_DSN: vhost.dsn, USM_POLLER_SATELLITE_ID: satelliteId }, cpuProfDir: ctx.cpuProfDir, bin: ctx.pollerBin, label: 'p2 poller' });
  ctx.cleanup.push('p2 poller', () => poller.stop());
  const client = await JobClient.open(vhost.dsn);
  ctx.cleanup.push('job client', () => client.close());
  const queue = jobQueueName(satelliteId);
  const samples: number[] = [];
  for (let i = 0; i < repeats + 3; i++) {
    const reply = await client.request(queue, job, 120_000);
    const got = ((reply.result.data as { varbinds?: unknown[] } | null)?.varbinds ?? []).length;
    if (reply.result.status !== 'ok' || got !== rows) throw new Error(`end-to-end walk returned ${String(reply.result.status)} with ${got} rows: ${JSON.stringify(reply.result.error)}`);
    if (i >= 3) samples.push(reply.latencyMs); // the first ones warm the session and the JIT
  }
  ctx.note(`p2: end to end ${samples.map((n) => round(n, 1)).join(', ')} ms`);
  return { medianMs: median(samples), samplesMs: samples };
}
