import type { IcmpParams } from './icmp-params.js';

/**
 * Timing shared by both tools. The per-echo timeout follows fping's own
 * count-mode default (the period, capped at 2 s): a longer one makes fping
 * warn and misattribute late replies. fping sends one packet per gap to the
 * whole batch, so a sweep takes about hosts x count x gap: the gap spreads
 * one round over the period, never slower than fping's 10 ms default nor
 * faster than 1 ms, so a 1,024-host sweep takes about a second per round
 * instead of ten. Only when that would not fit half the job budget (4,096
 * hosts x 3 in the default 10 s) does it go below 1 ms, down to 0.1 ms.
 */
export interface PingPlan {
  count: number;
  intervalMs: number;
  sizeBytes: number;
  timeoutMs: number;
  gapMs: number;
}

export function planPings(
  params: Pick<IcmpParams, 'count' | 'intervalMs' | 'sizeBytes'>,
  hostCount: number,
  budgetMs: number = Infinity,
): PingPlan {
  const hosts = Math.max(1, hostCount);
  let gapMs = Math.min(10, Math.max(1, Math.floor(params.intervalMs / hosts)));
  const packets = hosts * params.count;
  if (packets * gapMs > budgetMs / 2) gapMs = Math.max(0.1, Math.floor((budgetMs / 2 / packets) * 10) / 10);
  return {
    count: params.count,
    intervalMs: params.intervalMs,
    sizeBytes: params.sizeBytes,
    timeoutMs: Math.min(params.intervalMs, 2000),
    gapMs,
  };
}

/** fping argv; hosts go on stdin (`-f -`) so a name starting with "-" can never be read as an option. */
export function buildFpingArgs(plan: PingPlan): string[] {
  return [
    '-C', String(plan.count),
    '-p', String(plan.intervalMs),
    '-b', String(plan.sizeBytes),
    '-t', String(plan.timeoutMs),
    '-i', String(plan.gapMs),
    '-r', '0',
    '-f', '-',
  ];
}

/** fping's hosts file: one name a line. */
export function buildFpingInput(hosts: readonly string[]): string {
  return hosts.join('\n') + '\n';
}

/** iputils ping argv for one host; `--` keeps a name starting with "-" an operand. */
export function buildPingArgs(plan: PingPlan, host: string): string[] {
  return [
    '-n',
    '-c', String(plan.count),
    '-i', seconds(plan.intervalMs),
    '-s', String(plan.sizeBytes),
    '-W', seconds(plan.timeoutMs),
    '--', host,
  ];
}

/** Loopback echo that tells whether this fping can see replies at all. */
export const FPING_PROBE_ARGS = ['-C', '1', '-t', '500', '-p', '500', '127.0.0.1'] as const;

function seconds(ms: number): string {
  return String(ms / 1000);
}
