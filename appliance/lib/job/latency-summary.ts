export interface RunSummary {
  sent: number;
  ok: number;
  failed: number;
  byStatus: Record<string, number>;
  seconds: number;
  jobsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
}

/** Pure: percentile by nearest rank over a sorted copy. */
export function percentile(sortedMs: readonly number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  const rank = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[rank]!;
}

export function summarizeRun(statuses: readonly string[], latenciesMs: readonly number[], seconds: number): RunSummary {
  const byStatus: Record<string, number> = {};
  for (const status of statuses) byStatus[status] = (byStatus[status] ?? 0) + 1;
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const ok = byStatus.ok ?? 0;
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    sent: statuses.length,
    ok,
    failed: statuses.length - ok,
    byStatus,
    seconds: round(seconds),
    jobsPerSecond: round(seconds > 0 ? statuses.length / seconds : 0),
    latencyMs: { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? 0) },
  };
}
