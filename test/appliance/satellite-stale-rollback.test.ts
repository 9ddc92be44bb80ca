import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { renderAnswersYaml, type Answers } from '../../provision/index.js';
import { makeWireguardAnswers } from '../support/satellite-answers.js';
import { parseEnvFile } from '../../appliance/lib/satellite/poller-env-file.js';

// A file an earlier setup installed and the new answers no longer want cannot be removed:
// setup must put back every file it already wrote, leave the stale file and the state as they were.

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = [process.execPath, '--import', 'tsx', join(REPO, 'appliance', 'bin.ts')];
const STATE = 'var/lib/usm-appliance/satellite-state.json';

function answers(concurrency: number): Answers {
  return makeWireguardAnswers({ poller: { concurrency } });
}

/** `usm-appliance setup --no-start`; with `readOnly`, inside a private mount namespace where that directory is a read-only bind mount. */
async function setup(dir: string, given: Answers, readOnly?: string) {
  const file = join(dir, `answers-${Math.random().toString(16).slice(2)}.yaml`);
  await writeFile(file, renderAnswersYaml(given), { mode: 0o600 });
  const argv = [...CLI, 'setup', '--answers', file, '--root', join(dir, 'root'), '--no-start'];
  const [program, args] = readOnly === undefined
    ? [argv[0]!, argv.slice(1)]
    : ['unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"', 'sh', readOnly, ...argv]];
  const result = await execa(program, args, { reject: false, timeout: 60_000, cwd: REPO, stdin: 'ignore' });
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode };
}

/** A first setup, then a state that also lists `stalePath` (as if an earlier version had installed it). */
async function installWithStale(dir: string, stalePath: string): Promise<{ root: string; before: Answers; env: string; state: string }> {
  const before = answers(64);
  const first = await setup(dir, before);
  assert.equal(first.exitCode, 0, first.stderr);
  const root = join(dir, 'root');
  const state = JSON.parse(await readFile(join(root, STATE), 'utf8')) as { files: string[] };
  state.files.push(stalePath);
  await writeFile(join(root, STATE), `${JSON.stringify(state, null, 2)}\n`);
  return { root, before, env: await readFile(join(root, 'etc/usm-appliance/poller.env'), 'utf8'), state: await readFile(join(root, STATE), 'utf8') };
}

async function assertRolledBack(root: string, env: string, state: string): Promise<void> {
  const now = await readFile(join(root, 'etc/usm-appliance/poller.env'), 'utf8');
  assert.equal(parseEnvFile(now).USM_POLLER_CONCURRENCY, '64', 'poller.env is the previous one');
  assert.equal(now, env);
  assert.equal(await readFile(join(root, STATE), 'utf8'), state, 'state untouched');
}

test('a stale file on a read-only mount: the removal fails, the files already written are put back', { timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'usm-sat-stale-ro-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { root, env, state } = await installWithStale(dir, '/etc/usm-appliance/old/legacy.conf');
  await mkdir(join(root, 'etc/usm-appliance/old'));
  await writeFile(join(root, 'etc/usm-appliance/old/legacy.conf'), 'legacy\n', { mode: 0o640 });

  const result = await setup(dir, answers(128), join(root, 'etc/usm-appliance/old'));
  assert.equal(result.exitCode, 1, result.stderr);
  assert.match(result.stderr, /step "files" failed: cannot remove .*\/etc\/usm-appliance\/old\/legacy\.conf .*: EROFS/);
  assert.match(result.stderr, /putting the previous configuration back/);
  await assertRolledBack(root, env, state);
  assert.equal(await readFile(join(root, 'etc/usm-appliance/old/legacy.conf'), 'utf8'), 'legacy\n');

  // Once it can be removed, the same setup goes through and the state forgets the file.
  const ok = await setup(dir, answers(128));
  assert.equal(ok.exitCode, 0, ok.stderr);
  await assert.rejects(readFile(join(root, 'etc/usm-appliance/old/legacy.conf')), { code: 'ENOENT' });
  assert.ok(!(JSON.parse(await readFile(join(root, STATE), 'utf8')) as { files: string[] }).files.includes('/etc/usm-appliance/old/legacy.conf'));
});

test('a stale path that became a non-empty directory is refused (not skipped), and everything is put back', { timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'usm-sat-stale-dir-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { root, env, state } = await installWithStale(dir, '/etc/usm-appliance/legacy.d');
  await mkdir(join(root, 'etc/usm-appliance/legacy.d'));
  await writeFile(join(root, 'etc/usm-appliance/legacy.d/keep'), 'keep\n');

  const result = await setup(dir, answers(128));
  assert.equal(result.exitCode, 1, result.stderr);
  assert.match(result.stderr, /cannot remove .*\/etc\/usm-appliance\/legacy\.d .*not a regular file/);
  await assertRolledBack(root, env, state);
  assert.equal(await readFile(join(root, 'etc/usm-appliance/legacy.d/keep'), 'utf8'), 'keep\n');
});
