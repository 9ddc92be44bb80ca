import type { HostResult } from './host-result.js';

/** How one fping batch or one set of ping processes ended. */
export type SweepOutcome =
  | { kind: 'done'; results: HostResult[] }
  /** Killed at the job deadline or shutdown; partial data is in the tally. */
  | { kind: 'killed' }
  /** Neither a raw nor an unprivileged ICMP socket could be opened. */
  | { kind: 'permission'; detail: string }
  | { kind: 'failed'; detail: string };

export interface SweepRun {
  hosts: readonly string[];
  signal: AbortSignal;
  /** Safety-net timeout per child process. */
  childTimeoutMs: number;
}

/** Last non-empty lines of a tool's stderr, for an error message. */
export function lastLines(text: string, count = 3): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(-count)
    .join('; ');
}
