import { readStatusFile } from './status-file.js';
import type { HealthSnapshot } from './health-snapshot.js';

export interface HealthVerdict {
  healthy: boolean;
  reason: string;
  snapshot: HealthSnapshot | null;
}

/**
 * Pure verdict over a snapshot: healthy when connected, consuming and the
 * snapshot is fresh (a hung process stops refreshing it).
 */
export function judgeSnapshot(snapshot: HealthSnapshot, maxAgeMs: number, now = Date.now()): HealthVerdict {
  const age = now - Date.parse(snapshot.updatedAt);
  if (!Number.isFinite(age) || age > maxAgeMs) return { healthy: false, reason: `status is ${Math.round(age / 1000)} s old (poller hung or stopped)`, snapshot };
  if (!snapshot.connected) return { healthy: false, reason: 'not connected to the broker', snapshot };
  if (!snapshot.consuming) return { healthy: false, reason: `not consuming ${snapshot.queue}`, snapshot };
  return { healthy: true, reason: `connected to ${snapshot.broker}, consuming ${snapshot.queue}`, snapshot };
}

/** Reads the status file (or GETs /healthz) and judges it. */
export async function checkHealth(source: { file?: string; url?: string }, maxAgeMs: number): Promise<HealthVerdict> {
  try {
    let snapshot: HealthSnapshot;
    if (source.url) {
      const response = await fetch(source.url, { signal: AbortSignal.timeout(5_000) });
      snapshot = (await response.json()) as HealthSnapshot;
    } else {
      snapshot = await readStatusFile(source.file!);
    }
    return judgeSnapshot(snapshot, maxAgeMs);
  } catch (error) {
    return { healthy: false, reason: `no status: ${(error as Error).message}`, snapshot: null };
  }
}
