import { access, copyFile, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface PollerBuild {
  /** The compiled poller entry point (run with plain node, no tsx). */
  bin: string;
  remove(): Promise<void>;
}

/** A temp dir for the build; create it (and register its removal) before building, so an interrupt cannot leak it. */
export async function makeBuildDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'usm-bench-build-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Compiles the working tree (tsconfig.build.json) into a temp dir, so the
 * benchmarks measure the poller as it ships (plain node on tsc output), not
 * the tsx loader and its extra ~50 MB; dist/ is left alone since it may be
 * older than the sources. Type errors elsewhere in a tree under work do not
 * stop tsc from emitting, so only a missing output counts as a failure.
 */
export async function buildPoller(target?: { dir: string; remove(): Promise<void> }): Promise<PollerBuild> {
  const { dir, remove } = target ?? (await makeBuildDir());
  try {
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const out = await execa(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist'), '--sourceMap', 'false'], {
      reject: false, timeout: 180_000, cwd: ROOT,
    });
    const bin = join(dir, 'dist/poller/bin.js');
    await access(bin).catch(() => {
      throw new Error(`tsc did not emit poller/bin.js (exit ${out.exitCode}): ${out.stdout.slice(-1500)}`);
    });
    // Module resolution and the package-version lookup expect the package layout around dist/.
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    await copyFile(join(ROOT, 'package.json'), join(dir, 'package.json'));
    return { bin, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
