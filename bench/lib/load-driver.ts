import type { JobClient } from '../../appliance/lib/job/job-client.js';
import { summarizeRun, type RunSummary } from '../../appliance/lib/job/latency-summary.js';

export type MakeJob = (index: number) => Record<string, unknown>;

export interface LoadShape {
  /** Jobs kept outstanding at once (a closed loop: each reply releases the next publish). */
  window: number;
  /** How long to measure; ignored when `count` is given. */
  durationMs?: number;
  /** Exactly this many jobs instead of a duration. */
  count?: number;
  /** Load before measuring starts (connections warm, JIT done). */
  warmupMs?: number;
  /** Longest wait for one reply. */
  waitMs?: number;
}

interface Sample {
  started: number;
  finished: number;
  latencyMs: number;
  status: string;
}

/**
 * Keeps `window` jobs in flight through the broker and measures what came
 * back: jobs/s over the measured interval (replies that finished in it) and
 * latency percentiles from publish to reply. Lost replies count as `lost`.
 */
export async function driveLoad(client: JobClient, queue: string, makeJob: MakeJob, shape: LoadShape): Promise<RunSummary> {
  const waitMs = shape.waitMs ?? 60_000;
  const warmupMs = shape.count === undefined ? (shape.warmupMs ?? 0) : 0;
  const begin = performance.now();
  const measureFrom = begin + warmupMs;
  const end = shape.count === undefined ? measureFrom + (shape.durationMs ?? 5_000) : Infinity;
  const samples: Sample[] = [];
  let next = 0;

  const loop = async () => {
    for (;;) {
      if (shape.count !== undefined ? next >= shape.count : performance.now() >= end) return;
      const index = next++;
      const started = performance.now();
      try {
        const reply = await client.request(queue, makeJob(index), waitMs);
        samples.push({ started, finished: performance.now(), latencyMs: reply.latencyMs, status: String(reply.result.status) });
      } catch {
        samples.push({ started, finished: performance.now(), latencyMs: waitMs, status: 'lost' });
      }
    }
  };
  await Promise.all(Array.from({ length: shape.window }, loop));

  const stop = shape.count === undefined ? end : performance.now();
  const measured = samples.filter((s) => s.started >= measureFrom && s.finished <= stop);
  // Throughput counts every reply that landed in the interval, also those published during the warm-up.
  const landed = samples.filter((s) => s.finished >= measureFrom && s.finished <= stop);
  const seconds = (stop - measureFrom) / 1000;
  const summary = summarizeRun(measured.map((s) => s.status), measured.map((s) => s.latencyMs), seconds);
  return { ...summary, jobsPerSecond: Math.round((landed.length / seconds) * 10) / 10 };
}
