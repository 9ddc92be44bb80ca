import type { HostResult } from './host-result.js';
import { silentHost, summarizeCounters } from './host-result.js';

/**
 * Pure parsers of iputils `ping -n` output (LC_ALL=C), one process per host.
 * The statistics block is authoritative; streamed reply lines feed partial data.
 */

/** `64 bytes from 127.0.0.1: icmp_seq=2 ttl=64 time=0.036 ms` or `From 10.0.0.1 icmp_seq=2 Destination Host Unreachable`. */
export interface PingEcho {
  /** 1-based, as ping prints it. */
  seq: number;
  /** Round-trip time; null for an ICMP error about the echo. */
  rttMs: number | null;
}

const REPLY_LINE = /^\d+ bytes from .*\bicmp_seq=(\d+)\b.*?(?:\btime=([\d.]+) ms)?$/;
const ERROR_LINE = /^From \S+ icmp_seq=(\d+) /;

export function parsePingEchoLine(line: string): PingEcho | undefined {
  const reply = REPLY_LINE.exec(line);
  if (reply) return { seq: Number(reply[1]), rttMs: reply[2] === undefined ? null : Number(reply[2]) };
  const error = ERROR_LINE.exec(line);
  if (error) return { seq: Number(error[1]), rttMs: null };
  return undefined;
}

const COUNTERS = /^(\d+) packets transmitted, (\d+) received/m;
const RTT = /^(?:rtt|round-trip) min\/avg\/max(?:\/mdev)? = ([\d.]+)\/([\d.]+)\/([\d.]+)/m;

/**
 * Result of one finished `ping` run (stdout and stderr together). A name that
 * did not resolve prints no statistics: it is a silent host with `sent: 0`.
 */
export function parsePingOutput(host: string, text: string): HostResult {
  const counters = COUNTERS.exec(text);
  if (!counters) return silentHost(host, 0);
  const rtt = RTT.exec(text);
  return summarizeCounters(
    host,
    Number(counters[1]),
    Number(counters[2]),
    rtt ? { min: Number(rtt[1]), avg: Number(rtt[2]), max: Number(rtt[3]) } : null,
  );
}

/** True when the run got as far as sending (its statistics block is there). */
export function hasPingStatistics(text: string): boolean {
  return COUNTERS.test(text);
}

/** iputils reports a name it cannot resolve as `<argv0>: <host>: <resolver message>`. */
export function isPingUnknownHost(host: string, text: string): boolean {
  return text.includes(`: ${host}: `);
}

/**
 * iputils prints `socket: Operation not permitted` and a hint about
 * cap_net_raw when it can open neither socket type. `sendmsg: Operation not
 * permitted` is a firewall reject per echo, not this.
 */
export function isPingPermissionError(text: string): boolean {
  return /missing cap_net_raw|socket: (?:Operation not permitted|Permission denied)/i.test(text);
}
