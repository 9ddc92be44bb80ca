// Proves the benchmark scripts run and produce well-formed rows, at the
// smallest sizes. Benchmarks are not tests: nothing here checks a speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parseBenchArgs } from '../../bench/lib/bench-options.js';
import { makeRow, type BenchRow } from '../../bench/lib/bench-row.js';
import { CleanupStack } from '../../bench/lib/cleanup-stack.js';
import { renderMarkdown, renderTextTable, type BenchReport } from '../../bench/lib/render-report.js';
import type { RowContext } from '../../bench/lib/row-context.js';
import { runP2 } from '../../bench/p2-walk.js';
import { runP3 } from '../../bench/p3-sweep.js';

function assertWellFormed(row: BenchRow, id: string): void {
  assert.equal(row.id, id);
  assert.ok(row.title.length > 0);
  for (const figure of [row.figure, row.reference]) {
    assert.ok(Number.isFinite(figure.value) && figure.value > 0, `${id}: ${figure.label} = ${figure.value}`);
    assert.ok(figure.unit.length > 0 && figure.label.length > 0);
  }
  assert.ok(Number.isFinite(row.ratio) && row.ratio > 0, `${id}: ratio ${row.ratio}`);
  assert.equal(typeof row.met, 'boolean');
  assert.match(row.target.text, /\d/);
}

async function withContext<T>(run: (ctx: RowContext) => Promise<T>): Promise<T> {
  const cleanup = new CleanupStack();
  try {
    return await run({ profile: 'smoke', cleanup, note: () => {} });
  } finally {
    await cleanup.runAll();
  }
}

test('P2 (walk) at smoke size yields one row with both timings', { timeout: 30_000 }, async () => {
  const rows = await withContext(runP2);
  assert.equal(rows.length, 1);
  assertWellFormed(rows[0]!, 'p2');
  assert.equal(rows[0]!.details.rows, 300);
});

test('P3 (sweep) at smoke size yields one row with both timings', { timeout: 30_000 }, async () => {
  const rows = await withContext(runP3);
  assert.equal(rows.length, 1);
  assertWellFormed(rows[0]!, 'p3');
  assert.equal(rows[0]!.details.hosts, 16);
});

test('npm run bench -- --only p3 --smoke writes a JSON report and prints the table', { timeout: 45_000 }, async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'usm-bench-test-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  const run = await execa(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--only', 'p3', '--smoke', '--out', out], { timeout: 40_000, reject: false, cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  assert.equal(run.exitCode, 0, run.stderr);
  assert.match(run.stdout, /^machine: \d+ cores/m);
  assert.match(run.stdout, /^p3 +\S+ ms/m);
  const files = await readdir(out);
  assert.ok(files.includes('latest.json'), files.join(', '));
  const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as BenchReport;
  assert.equal(report.profile, 'smoke');
  assert.deepEqual(report.failures, []);
  assert.equal(report.rows.length, 1);
  assertWellFormed(report.rows[0]!, 'p3');
  assert.ok(report.machine.cores > 0 && report.machine.node.startsWith('v'));
});

test('options, rows and report rendering', () => {
  assert.deepEqual(parseBenchArgs(['--quick', '--only', 'p3,p1'], { outDir: 'o' }), { profile: 'quick', only: ['p1', 'p3'], outDir: 'o', markdown: false, cpuProfile: false, tsx: false });
  assert.equal(parseBenchArgs([], { outDir: 'o' }).markdown, true, 'a full run of every row rewrites BENCHMARKS.md');
  assert.throws(() => parseBenchArgs(['--only', 'p9'], { outDir: 'o' }), /--only: unknown row p9/);
  assert.throws(() => parseBenchArgs(['--out'], { outDir: 'o' }), /--out: needs a value/);
  const row = makeRow({
    id: 'p5', title: 't', figure: { label: 'a', value: 5.5, unit: 'ms' }, reference: { label: 'b', value: 5, unit: 'ms' },
    target: { on: 'difference', op: '<=', value: 1, text: '<= +1 ms' }, details: { n: 1 },
  });
  assert.equal(row.ratio, 1.1);
  assert.equal(row.met, true);
  const report: BenchReport = {
    startedAt: 's', finishedAt: 'f', command: 'npm run bench', profile: 'full',
    machine: { cores: 2, cpuModel: 'cpu', memoryGb: 1, node: 'v20', loadAtStart: 0.5 }, rows: [row], failures: [{ id: 'p1', error: 'boom' }],
  };
  assert.match(renderTextTable(report), /^p5 +5\.5 ms \(a\) +5 ms \(b\) +1\.1x +<= \+1 ms +yes$/m);
  const md = renderMarkdown(report);
  assert.match(md, /^\| p5 \| 5\.5 ms \(a\) \| 5 ms \(b\) \| 1\.1x \| <= \+1 ms \| yes \|$/m);
  assert.match(md, /^npm run bench$/m);
  assert.match(md, /## p1: did not run/);
});
