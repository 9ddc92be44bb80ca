import { readFileSync } from 'node:fs';

/** The product version from package.json, read on first use (not at import time). */
let cached: string | undefined;
export function readPackageVersion(): string {
  if (cached === undefined) {
    // Works from both the TypeScript tree and dist/ (one level deeper).
    for (const relative of ['../../../package.json', '../../../../package.json']) {
      try {
        const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'usm-appliance' && pkg.version) {
          cached = pkg.version;
          break;
        }
      } catch {
        // try the next location
      }
    }
    cached ??= '0.0.0';
  }
  return cached;
}
