import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../../common/atomic-file.js';
import type { Logger } from '../../../common/logger.js';
import type { HealthSnapshot } from './health-snapshot.js';

export const STATUS_REFRESH_MS = 5_000;

/**
 * Keeps a JSON health snapshot on disk (atomically replaced), so Docker's
 * HEALTHCHECK and `usm-appliance status` can ask without any open port.
 */
export function startStatusFile(path: string, snapshot: () => HealthSnapshot, log: Logger): { refresh(): void; stop(): Promise<void> } {
  let writing: Promise<void> = Promise.resolve();
  let warned = false;
  const refresh = () => {
    writing = writing.then(() => writeFileAtomic(path, `${JSON.stringify(snapshot())}\n`, { mode: 0o644 })).catch((error: unknown) => {
      if (!warned) log.warn({ path, err: (error as Error).message }, 'cannot write the status file');
      warned = true;
    });
  };
  refresh();
  const timer = setInterval(refresh, STATUS_REFRESH_MS);
  timer.unref();
  return {
    refresh,
    async stop() {
      clearInterval(timer);
      refresh();
      await writing;
    },
  };
}

export async function readStatusFile(path: string): Promise<HealthSnapshot> {
  return JSON.parse(await readFile(path, 'utf8')) as HealthSnapshot;
}
