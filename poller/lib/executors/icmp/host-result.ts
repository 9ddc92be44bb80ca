/** One host's answer in an `icmp.ping` result (job protocol: `hosts: [{host, alive, sent, received, lossPct, rttMs}]`). */
export interface HostResult {
  host: string;
  alive: boolean;
  sent: number;
  received: number;
  lossPct: number;
  rttMs: { min: number | null; avg: number | null; max: number | null };
}

/**
 * Builds a result from the echo round-trip times seen (`null` = sent, no reply).
 * Sums in one pass so a 4,096-host sweep stays linear.
 */
export function summarizeReplies(host: string, replies: readonly (number | null)[]): HostResult {
  let received = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const rtt of replies) {
    if (rtt === null) continue;
    received += 1;
    sum += rtt;
    if (rtt < min) min = rtt;
    if (rtt > max) max = rtt;
  }
  if (received === 0) return silentHost(host, replies.length);
  return {
    host,
    alive: true,
    sent: replies.length,
    received,
    lossPct: lossPercent(replies.length, received),
    rttMs: { min: roundMs(min), avg: roundMs(sum / received), max: roundMs(max) },
  };
}

/** Result from counters a tool already summed up (iputils ping's statistics lines). */
export function summarizeCounters(
  host: string,
  sent: number,
  received: number,
  rtt: { min: number; avg: number; max: number } | null,
): HostResult {
  if (received === 0) return silentHost(host, sent);
  return {
    host,
    alive: true,
    sent,
    received,
    lossPct: lossPercent(sent, received),
    rttMs: rtt ? { min: rtt.min, avg: rtt.avg, max: rtt.max } : { min: null, avg: null, max: null },
  };
}

/**
 * A host that never answered. `sent: 0` means nothing was sent at all: the
 * name did not resolve (or the job ended before its first echo).
 */
export function silentHost(host: string, sent: number): HostResult {
  return { host, alive: false, sent, received: 0, lossPct: 100, rttMs: { min: null, avg: null, max: null } };
}

function lossPercent(sent: number, received: number): number {
  if (sent === 0) return 100;
  // Duplicated replies can make received > sent; loss never goes negative.
  return Math.max(0, Math.round(((sent - received) / sent) * 10000) / 100);
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
