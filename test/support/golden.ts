import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GOLDEN_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');

/**
 * A comparer against the files in test/golden/<area>/: the output must equal
 * the file byte for byte; UPDATE_GOLDEN=1 rewrites the file instead.
 */
export function goldenChecker(area: string): (name: string, actual: string) => Promise<void> {
  return async (name, actual) => {
    const path = join(GOLDEN_ROOT, area, name);
    if (process.env.UPDATE_GOLDEN === '1') {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, actual);
    }
    assert.equal(actual, await readFile(path, 'utf8'), `${join('test/golden', area, name)} differs (UPDATE_GOLDEN=1 rewrites it)`);
  };
}

/** Deterministic "random" bytes from a seed, so keys in golden files never change. */
export function seededRandom(seed: string): (size: number) => Uint8Array {
  let counter = 0;
  return (size) => {
    const out = new Uint8Array(size);
    for (let offset = 0; offset < size; offset += 32) {
      out.set(createHash('sha256').update(`${seed}:${counter++}`).digest().subarray(0, Math.min(32, size - offset)), offset);
    }
    return out;
  };
}
