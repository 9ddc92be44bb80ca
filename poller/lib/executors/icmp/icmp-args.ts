import type { IcmpParams } from './icmp-params.js';

/**
 * Timing shared by both tools. The per-echo timeout follows fping's own
 * count-mode default (the period, capped at 2 s): a longer one makes fping
 * warn and misattribute late replies. The gap between packets to different
 * hosts spreads one round over the period, never slower than fping's 10 ms
 * default and never under the 1 ms fping allows without root, so a
 * 1,024-host sweep takes about a second per round instead of ten.
 */
export interface PingPlan {
  count: number;
  intervalMs: number;
  sizeBytes: number;
  timeoutMs: number;
  gapMs: number;
}

export function planPings(params: Pick<IcmpParams, 'count' | 'intervalMs' | 'sizeBytes'>, hostCount: number): PingPlan {
  return {
    count: params.count,
    intervalMs: params.intervalMs,
    sizeBytes: params.sizeBytes,
    timeoutMs: Math.min(params.intervalMs, 2000),
    gapMs: Math.min(10, Math.max(1, Math.floor(params.intervalMs / Math.max(1, hostCount)))),
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
