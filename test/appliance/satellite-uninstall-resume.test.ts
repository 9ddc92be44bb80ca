import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { access, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { renderAnswersYaml } from '../../provision/index.js';
import { makeWireguardAnswers } from '../support/satellite-answers.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = ['--import', 'tsx', join(REPO, 'appliance', 'bin.ts')];
const exists = (path: string) => access(path).then(() => true, () => false);

/**
 * An uninstall that fails half-way can be run again: the applied answers and the state it reads are removed
 * last. It runs inside a throwaway network namespace, so its firewall and tunnel steps never touch the host.
 */
test('an interrupted uninstall keeps what it needs to be run again, and the second run finishes', { timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'usm-uninstall-'));
  const ns = `usm-un-${randomBytes(3).toString('hex')}`;
  await execa('ip', ['netns', 'add', ns], { timeout: 15_000 });
  t.after(async () => {
    await execa('ip', ['netns', 'del', ns], { reject: false, timeout: 15_000 });
    await rm(dir, { recursive: true, force: true });
  });
  const root = join(dir, 'root');
  const answersFile = join(dir, 'answers.yaml');
  await writeFile(answersFile, renderAnswersYaml(makeWireguardAnswers()), { mode: 0o600 });
  const cli = (...args: string[]) => execa('ip', ['netns', 'exec', ns, process.execPath, ...CLI, ...args, '--root', root], { reject: false, timeout: 60_000, cwd: REPO, stdin: 'ignore' });

  const setup = await cli('setup', '--answers', answersFile, '--no-start', '--service', 'foreground');
  assert.equal(setup.exitCode, 0, String(setup.stderr));
  // compose.yaml turned into a non-empty directory: its removal fails in the middle of the uninstall.
  const compose = join(root, 'opt/usm_poller/compose.yaml');
  await rm(compose);
  await mkdir(compose);
  await writeFile(join(compose, 'keep'), 'x');
  const first = await cli('uninstall');
  assert.notEqual(first.exitCode, 0, 'the first uninstall fails');
  assert.ok(await exists(join(root, 'etc/usm-appliance/satellite.yaml')), 'the applied answers are still there');
  assert.ok(await exists(join(root, 'var/lib/usm-appliance/satellite-state.json')), 'the state is still there');

  await rm(compose, { recursive: true });
  const second = await cli('uninstall');
  assert.equal(second.exitCode, 0, String(second.stderr));
  for (const path of ['etc/usm-appliance/satellite.yaml', 'var/lib/usm-appliance/satellite-state.json', 'etc/wireguard/usm0.conf', 'etc/usm-appliance/poller.env']) {
    assert.ok(!(await exists(join(root, path))), `${path} removed`);
  }
});
