/**
 * `npm run bench`: runs the rows of bench/ (P1 throughput, P2 walk, P3 sweep,
 * P4 memory and descriptors, P5 tunnel), prints one table and writes the
 * results as JSON to bench/results/; a full run of every row also rewrites
 * BENCHMARKS.md. See `npm run bench -- --help`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError, UsmError } from '../common/usm-error.js';
import { parseBenchArgs, type RowId } from './lib/bench-options.js';
import type { BenchRow } from './lib/bench-row.js';
import { CleanupStack } from './lib/cleanup-stack.js';
import { buildPoller, makeBuildDir } from './lib/poller-build.js';
import { currentLoad, describeMachine } from './lib/machine-info.js';
import { renderMarkdown, renderTextTable, type BenchReport } from './lib/render-report.js';
import type { RowContext } from './lib/row-context.js';
import { runP1 } from './p1-throughput.js';
import { runP2 } from './p2-walk.js';
import { runP3 } from './p3-sweep.js';
import { runP4 } from './p4-resources.js';
import { runP5 } from './p5-tunnel.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNNERS: Record<RowId, (ctx: RowContext) => Promise<BenchRow[]>> = { p1: runP1, p2: runP2, p3: runP3, p4: runP4, p5: runP5 };

async function main(): Promise<number> {
  let options;
  try {
    options = parseBenchArgs(process.argv.slice(2), { outDir: join(ROOT, 'bench/results') });
  } catch (error) {
    const help = error instanceof UsmError && error.code === 'E_HELP';
    (help ? process.stdout : process.stderr).write(`${(error as Error).message}\n`);
    return help ? 0 : 2;
  }
  const cleanup = new CleanupStack();
  const runCleanup = new CleanupStack();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`bench: ${signal}, cleaning up\n`);
    void cleanup.runAll().then(() => runCleanup.runAll()).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const cpuProfDir = options.cpuProfile ? join(options.outDir, 'profiles') : undefined;
  if (cpuProfDir) await mkdir(cpuProfDir, { recursive: true });
  const note = (line: string) => process.stderr.write(`${line}\n`);
  const machine = describeMachine();
  const startedAt = new Date().toISOString();
  let pollerBin: string | undefined;
  const needsPoller = options.only.some((id) => id !== 'p3') && options.profile !== 'smoke' && !options.tsx;
  if (needsPoller) {
    note('bench: compiling the poller (tsc) so it runs as shipped');
    const buildDir = await makeBuildDir();
    runCleanup.push('poller build', () => buildDir.remove());
    pollerBin = (await buildPoller(buildDir)).bin;
  }
  const rows: BenchRow[] = [];
  const failures: BenchReport['failures'] = [];
  for (const id of options.only) {
    if (interrupted) break;
    note(`bench: ${id} (${options.profile}), load ${currentLoad()}`);
    const started = performance.now();
    try {
      rows.push(...(await RUNNERS[id]({ profile: options.profile, cleanup, note, cpuProfDir, pollerBin })));
    } catch (error) {
      failures.push({ id, error: describeError(error) });
      note(`bench: ${id} failed: ${describeError(error)}`);
    } finally {
      await cleanup.runAll((what, error) => note(`bench: cleanup of ${what} failed: ${describeError(error)}`));
    }
    note(`bench: ${id} took ${Math.round((performance.now() - started) / 1000)} s`);
  }

  await runCleanup.runAll();
  if (interrupted) return 130;
  const args = process.argv.slice(2).filter((a) => a !== '--markdown');
  const report: BenchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
    profile: options.profile,
    machine: { ...machine, loadAtEnd: currentLoad() },
    rows,
    failures,
  };
  process.stdout.write(renderTextTable(report));
  await mkdir(options.outDir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  await writeFile(join(options.outDir, `${startedAt.replace(/[:.]/g, '-')}-${options.profile}.json`), json);
  await writeFile(join(options.outDir, 'latest.json'), json);
  if (options.markdown) await writeFile(join(ROOT, 'BENCHMARKS.md'), renderMarkdown(report));
  return failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${describeError(error)}\n`);
    process.exit(1);
  },
);
