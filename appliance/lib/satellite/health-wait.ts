import { setTimeout as sleep } from 'node:timers/promises';
import { UsmError } from '../../../common/usm-error.js';
import { checkHealth } from '../../../poller/lib/health/check-health.js';
import type { HealthSnapshot } from '../../../poller/lib/health/health-snapshot.js';

export interface HealthWaitOptions {
  statusHostPath: string;
  timeoutMs: number;
  /** Only a snapshot written by this process counts (a stale file from the previous poller does not). */
  pid?: number | undefined;
  /** Resolves when the poller exited: stop waiting at once. */
  exited?: Promise<unknown>;
  /** The poller's own words, for the error. */
  problems?: () => string[];
}

/** Waits until the poller says it is connected and consuming (its status file). */
export async function waitForHealthy(options: HealthWaitOptions): Promise<HealthSnapshot> {
  const deadline = Date.now() + options.timeoutMs;
  let exited = false;
  void options.exited?.then(() => { exited = true; });
  let reason = 'no status file yet';
  while (Date.now() < deadline && !exited) {
    const verdict = await checkHealth({ file: options.statusHostPath }, 30_000);
    if (verdict.snapshot && (options.pid === undefined || verdict.snapshot.pid === options.pid)) {
      if (verdict.healthy) return verdict.snapshot;
      reason = verdict.reason;
    }
    await sleep(250);
  }
  const said = options.problems?.() ?? [];
  throw new UsmError(
    exited ? 'E_POLLER_EXITED' : 'E_POLLER_NOT_READY',
    exited ? `the poller exited before it was connected (${reason})` : `the poller was not connected and consuming within ${Math.round(options.timeoutMs / 1000)} s (${reason})`,
    { problems: [...said.map((line) => `poller: ${line}`), 'read the poller log above and usm-appliance status'] },
  );
}
