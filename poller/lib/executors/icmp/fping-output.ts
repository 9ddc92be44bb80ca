import type { HostResult } from './host-result.js';
import { silentHost, summarizeReplies } from './host-result.js';

/**
 * Pure parsers of fping 5.x text output (run with `-C <count>`, not quiet,
 * under LC_ALL=C). stdout carries one line per echo as it happens, stderr the
 * final per-host summary plus errors (unresolvable names, ICMP errors).
 */

/** One streamed line: `127.0.0.1 : [2], 64 bytes, 0.035 ms (0.030 avg, 0% loss)` or `... : [2], timed out (...)`. */
export interface FpingEcho {
  host: string;
  /** 0-based echo number. */
  seq: number;
  /** Round-trip time, or null for `timed out`. */
  rttMs: number | null;
}

const ECHO_LINE = /^(\S+)\s+: \[(\d+)\], (?:\d+ bytes, ([\d.]+) ms|timed out)/;

export function parseFpingEchoLine(line: string): FpingEcho | undefined {
  const match = ECHO_LINE.exec(line);
  if (!match) return undefined;
  return { host: match[1]!, seq: Number(match[2]), rttMs: match[3] === undefined ? null : Number(match[3]) };
}

/**
 * The `-C` summary: `<host> : <rtt|-> <rtt|-> ...`, one line per host that was
 * pinged. Names that never resolved have no line. Other stderr lines (errors,
 * ICMP unreachable notices) are skipped. Returns host -> per-echo RTTs (null = lost).
 */
export function parseFpingSummary(text: string): Map<string, (number | null)[]> {
  const byHost = new Map<string, (number | null)[]>();
  for (const line of text.split('\n')) {
    const parsed = parseFpingSummaryLine(line);
    if (parsed && !byHost.has(parsed.host)) byHost.set(parsed.host, parsed.replies);
  }
  return byHost;
}

/** One result per requested host, in request order; a host without a summary line never resolved. */
export function resultsFromFpingSummary(hosts: readonly string[], stderr: string): HostResult[] {
  const summary = parseFpingSummary(stderr);
  return hosts.map((host) => {
    const replies = summary.get(host);
    return replies ? summarizeReplies(host, replies) : silentHost(host, 0);
  });
}

const SUMMARY_VALUES = /^(?:(?:[\d.]+|-)(?: |$))+$/;

export function parseFpingSummaryLine(line: string): { host: string; replies: (number | null)[] } | undefined {
  // Host names hold no spaces, so the first " : " ends the (padded) host even for IPv6 addresses.
  const separator = line.indexOf(' : ');
  if (separator <= 0) return undefined;
  const host = line.slice(0, separator).trimEnd();
  const values = line.slice(separator + 3).trim();
  if (host.includes(' ') || values === '' || !SUMMARY_VALUES.test(values)) return undefined;
  return { host, replies: values.split(' ').map((value) => (value === '-' ? null : Number(value))) };
}

/** fping prints this (and exits 4) when it can open neither a raw nor an unprivileged ICMP socket. */
export function isFpingPermissionError(stderr: string): boolean {
  return /can't create socket|must run as root/i.test(stderr);
}
