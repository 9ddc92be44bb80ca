import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import assert from 'node:assert/strict';
import { writeFileAtomic } from '../../common/atomic-file.js';

const GOLDEN_DIR = resolve(import.meta.dirname, '../golden/cli');

/** Compares `actual` (as pretty JSON) with test/golden/cli/<name>; UPDATE_GOLDEN=1 rewrites the file instead. */
export async function assertGolden(name: string, actual: unknown): Promise<void> {
  const path = resolve(GOLDEN_DIR, name);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    await writeFileAtomic(path, text);
    return;
  }
  const expected = await readFile(path, 'utf8').catch(() => {
    throw new Error(`golden file ${path} is missing; run with UPDATE_GOLDEN=1 to create it`);
  });
  assert.equal(text, expected, `output differs from ${path} (UPDATE_GOLDEN=1 to accept)`);
}
