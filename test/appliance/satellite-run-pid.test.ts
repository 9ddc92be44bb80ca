import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isForegroundRunner, readLivePid } from '../../appliance/lib/satellite/run-pid-file.js';

test('only a usm-appliance run/setup process counts as the live runner', () => {
  assert.ok(isForegroundRunner(['/usr/bin/node', '--import', 'tsx', '/src/appliance/bin.ts', 'run', '--root', '/x']));
  assert.ok(isForegroundRunner(['/usr/bin/node', '/usr/lib/node_modules/usm-appliance/dist/appliance/bin.js', 'setup', '--answers', 'a.yaml']));
  assert.ok(isForegroundRunner(['/usr/local/bin/usm-appliance', 'run']));
  assert.ok(!isForegroundRunner(['/usr/local/bin/usm-appliance', 'status']));
  assert.ok(!isForegroundRunner(['sleep', 'run']));
  assert.ok(!isForegroundRunner(['/sbin/init']));
});

test('a stale pid file naming an unrelated process is ignored, never signalled', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'usm-runpid-'));
  const bystander = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(async () => {
    bystander.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });
  const file = join(dir, 'run.pid');
  await writeFile(file, `${bystander.pid}\n`);
  assert.equal(await readLivePid(file), null, 'a live sleep is not our runner');
  await writeFile(file, '1\n');
  assert.equal(await readLivePid(file), null, 'pid 1 is never ours');
  await writeFile(file, '999999999\n');
  assert.equal(await readLivePid(file), null, 'no such process');
  assert.equal(bystander.exitCode, null, 'the bystander is alive');
});
