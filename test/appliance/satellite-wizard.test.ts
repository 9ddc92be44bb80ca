import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { answersSchema, generateKeyPair, generatePresharedKey, renderAnswersYaml } from '../../provision/index.js';

// The wizard in a real terminal (tmux), typed key by key, must write the same
// files as `setup --answers` with the same values.

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = [process.execPath, '--import', 'tsx', join(REPO, 'appliance', 'bin.ts')];

test('the wizard under tmux checks each answer as typed and writes the same files as the answers file', { timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'usm-wizard-'));
  const socket = `usm-wiz-${randomBytes(4).toString('hex')}`;
  const tmux = (args: string[]) => execa('tmux', ['-L', socket, ...args], { timeout: 10_000, reject: false });
  t.after(async () => {
    await tmux(['kill-server']);
    await rm(dir, { recursive: true, force: true });
  });
  const privateKey = generateKeyPair().privateKey;
  const presharedKey = generatePresharedKey();
  const corePublicKey = generateKeyPair().publicKey;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const answers = answersSchema.parse({
    version: 1, satellite: { id: '42', name: 'Wizard branch' }, transport: 'wireguard',
    wireguard: { address: '10.77.0.9/32', privateKey, core: { publicKey: corePublicKey, presharedKey, endpoint: '192.0.2.1:51820', address: '10.77.0.1' } },
    broker: { username: 'usm-sat-42', password },
  });
  const file = join(dir, 'answers.yaml');
  await writeFile(file, renderAnswersYaml(answers), { mode: 0o600 });
  const byFile = await execa(CLI[0]!, [...CLI.slice(1), 'setup', '--answers', file, '--root', join(dir, 'by-file'), '--no-start', '--service', 'systemd'], { cwd: REPO, timeout: 60_000, reject: false });
  assert.equal(byFile.exitCode, 0, String(byFile.stderr));

  const started = await tmux(['new-session', '-d', '-s', 'wiz', '-x', '160', '-y', '50', '-c', REPO, '--',
    ...CLI, 'setup', '--root', join(dir, 'by-wizard'), '--no-start', '--service', 'systemd']);
  assert.equal(started.exitCode, 0, String(started.stderr));
  await tmux(['set-option', '-t', 'wiz', 'remain-on-exit', 'on']);
  const screen = async () => String((await tmux(['capture-pane', '-p', '-t', 'wiz', '-S', '-200'])).stdout);
  const waitFor = async (text: string | RegExp) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const shown = await screen();
      if (typeof text === 'string' ? shown.includes(text) : text.test(shown)) return shown;
      if (Date.now() > deadline) throw new Error(`not on screen: ${String(text)}\n${shown}`);
      await sleep(100);
    }
  };
  const type = async (text: string) => { await tmux(['send-keys', '-t', 'wiz', '-l', text]); await tmux(['send-keys', '-t', 'wiz', 'Enter']); };
  const key = async (name: string) => tmux(['send-keys', '-t', 'wiz', name]);

  await waitFor('How do you want to set up');
  await key('Down');
  await key('Enter');
  await waitFor('Satellite id');
  await type('42');
  await waitFor('Name (optional)');
  await type('Wizard branch');
  await waitFor('Transport to the broker');
  await key('Enter');
  await waitFor('Tunnel interface');
  await key('Enter');
  await waitFor('tunnel address (e.g.');
  // Checked as typed, with the answers file's own rule.
  await type('10.77.0.0/24');
  await waitFor('must be a single host');
  for (let i = 0; i < 12; i += 1) await key('BSpace');
  await type('10.77.0.9');
  await waitFor('WireGuard private key');
  await type('not-a-key');
  await waitFor('not a WireGuard key');
  for (let i = 0; i < 12; i += 1) await key('BSpace');
  await type(privateKey);
  await waitFor('Core public key');
  await type(corePublicKey);
  await waitFor('Preshared key');
  await type(presharedKey);
  await waitFor('Core endpoint');
  await type('192.0.2.1:51820');
  await waitFor('Core tunnel address');
  await type('10.77.0.1');
  await waitFor('Broker port');
  await key('Enter');
  await waitFor('Broker virtual host');
  await key('Enter');
  await waitFor('Broker user');
  await key('Enter');
  await waitFor('Broker password');
  await type(password);
  await waitFor('Jobs in flight');
  await key('Enter');
  const summary = await waitFor('Apply this configuration now?');
  assert.match(summary, /privateKey: <redacted>/);
  await type('y');
  const final = await waitFor(/files written|setup cancelled|usm-appliance setup:/);
  assert.match(final, /files written/, final);
  for (const secret of [privateKey, presharedKey, password]) assert.ok(!final.includes(secret), 'no secret on the screen');

  const wizardFiles = await listFiles(join(dir, 'by-wizard'));
  const answerFiles = await listFiles(join(dir, 'by-file'));
  assert.deepEqual(wizardFiles, answerFiles);
  for (const path of answerFiles) {
    if (path.endsWith('satellite-state.json')) continue;
    assert.equal(await readFile(join(dir, 'by-wizard', path), 'utf8'), await readFile(join(dir, 'by-file', path), 'utf8'), path);
    assert.equal((await stat(join(dir, 'by-wizard', path))).mode, (await stat(join(dir, 'by-file', path))).mode, path);
  }
});

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.push(relative(root, path));
    }
  };
  await walk(root);
  return out.sort();
}
