#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's own test runner through the tsx loader.
// Node 20 has no glob support in `--test`, so the files are listed here.
// Usage: npm test [-- <substring filter on file paths>...]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' || name === 'golden' ? [] : findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = findTests('test')
  .map((file) => relative('.', file))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const concurrency = process.env.USM_TEST_CONCURRENCY ?? '2';
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  { stdio: 'inherit', detached: true },
);
// A test process whose main thread deadlocks never fires its own timeouts; stop the whole
// run (its process group, with every peer it started) rather than let CI hang.
const watchdogMinutes = Number(process.env.USM_TEST_WATCHDOG_MIN ?? '30');
const watchdog = setTimeout(() => {
  console.error(`\nrun-tests: no end after ${watchdogMinutes} minutes; killing the test run`);
  try { process.kill(-child.pid, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
}, watchdogMinutes * 60_000);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    try { process.kill(-child.pid, signal); } catch { child.kill(signal); }
  });
}
child.on('exit', (code, signal) => {
  clearTimeout(watchdog);
  process.exitCode = code ?? (signal ? 1 : 0);
});
