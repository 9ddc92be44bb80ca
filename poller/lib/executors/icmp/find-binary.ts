import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Service units often run with a short PATH; fping lives in sbin on some distributions. */
const FALLBACK_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** First executable `name` on PATH (then the usual system directories), or undefined. */
export function findOnPath(name: string, pathValue: string = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...pathValue.split(delimiter), ...FALLBACK_DIRS]) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next directory.
    }
  }
  return undefined;
}
