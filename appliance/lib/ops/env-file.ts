import { readFile } from 'node:fs/promises';

/**
 * Pure: reads `KEY='value'` / `KEY="value"` / `KEY=value` lines as written by
 * setup (provision/lib/satellite-files/env-file-value.ts) and read by systemd
 * and Compose. Comments and blank lines are skipped.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2]!;
    if (value.length >= 2 && (value[0] === "'" || value[0] === '"') && value.at(-1) === value[0]) value = value.slice(1, -1);
    out[match[1]!] = value;
  }
  return out;
}

/** The first of `paths` that exists, parsed; null when none does. */
export async function readFirstEnvFile(paths: readonly string[]): Promise<{ path: string; values: Record<string, string> } | null> {
  for (const path of paths) {
    try {
      return { path, values: parseEnvFile(await readFile(path, 'utf8')) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return null;
}
