import { execa } from 'execa';
import { createSilentLogger } from '../common/logger.js';
import { createIcmpExecutors } from '../poller/lib/executors/icmp/icmp-executors.js';
import { buildFpingArgs, buildFpingInput, planPings } from '../poller/lib/executors/icmp/icmp-args.js';
import { icmpParamsSchema } from '../poller/lib/executors/icmp/icmp-params.js';
import { bySize } from './lib/bench-options.js';
import { makeRow, median, round, type BenchRow } from './lib/bench-row.js';
import type { RowContext } from './lib/row-context.js';
import { runInProcess } from './lib/run-in-process.js';

const JOB_TIMEOUT_MS = 30_000;

/** Pure: `count` distinct loopback addresses in 127.77.0.0/16, none ending in .0 or .255. */
export function loopbackSweepHosts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.77.${Math.floor(i / 250)}.${(i % 250) + 1}`);
}

/**
 * P3: an icmp.ping sweep of 1,024 loopback addresses through our executor
 * (in-process: decodeJob + executeJob) against plain fping with the very
 * arguments the executor plans (icmp-args.ts: count, period, per-echo timeout
 * and inter-packet gap), median wall time of each.
 */
export async function runP3(ctx: RowContext): Promise<BenchRow[]> {
  const size = bySize(ctx.profile, {
    full: { hosts: 1024, count: 3, repeats: 5 },
    quick: { hosts: 1024, count: 1, repeats: 2 },
    smoke: { hosts: 16, count: 1, repeats: 1 },
  });
  const hosts = loopbackSweepHosts(size.hosts);
  const log = createSilentLogger();
  const group = createIcmpExecutors({ log });
  ctx.cleanup.push('icmp executors', () => group.close());

  const params = icmpParamsSchema.parse({ count: size.count, hosts });
  const plan = planPings(params, hosts.length, JOB_TIMEOUT_MS);
  const fpingArgs = buildFpingArgs(plan);
  const job = { v: 1, type: 'icmp.ping', timeoutMs: JOB_TIMEOUT_MS, params: { count: size.count, hosts } };

  const ours = async () => {
    const { result, ms } = await runInProcess(group, job, log);
    const rows = (result.data?.hosts as Array<{ alive: boolean }> | undefined) ?? [];
    const alive = rows.filter((h) => h.alive).length;
    if (result.status !== 'ok' || alive !== hosts.length) throw new Error(`sweep returned ${result.status}, ${alive}/${hosts.length} alive: ${result.error?.message ?? ''}`);
    return ms;
  };
  const reference = async () => {
    const started = performance.now();
    const out = await execa('fping', fpingArgs, { input: buildFpingInput(hosts), reject: false, timeout: JOB_TIMEOUT_MS });
    const ms = performance.now() - started;
    if (out.exitCode !== 0) throw new Error(`fping exited ${out.exitCode}: ${out.stderr.slice(-500)}`);
    return ms;
  };

  // The executor probes which tool works on its first job: do that outside the measurement.
  await runInProcess(group, { type: 'icmp.ping', timeoutMs: 5_000, params: { count: 1, hosts: ['127.0.0.1'] } }, log);
  const oursMs: number[] = [];
  const refMs: number[] = [];
  for (let i = 0; i < size.repeats; i++) {
    oursMs.push(await ours());
    refMs.push(await reference());
  }
  ctx.note(`p3: executor ${oursMs.map((n) => round(n)).join(', ')} ms; fping ${refMs.map((n) => round(n)).join(', ')} ms`);
  return [
    makeRow({
      id: 'p3',
      title: `icmp.ping sweep of ${hosts.length.toLocaleString('en')} loopback addresses x ${size.count}, executor in-process vs fping ${fpingArgs.join(' ')}`,
      figure: { label: 'executor sweep, median', value: round(median(oursMs), 1), unit: 'ms' },
      reference: { label: 'plain fping, median', value: round(median(refMs), 1), unit: 'ms' },
      target: { on: 'ratio', op: '<=', value: 1.2, text: '<= 1.2x' },
      details: { hosts: hosts.length, count: size.count, gapMs: plan.gapMs, periodMs: plan.intervalMs, repeats: size.repeats, executorMs: oursMs.map((n) => round(n, 1)), fpingMs: refMs.map((n) => round(n, 1)) },
    }),
  ];
}
