import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { renderComposeFile } from '../../provision/lib/satellite-files/compose-file.js';
import { imageRepository, planUpgradeSteps, rewriteComposeImage, stopTimeoutSeconds } from '../../appliance/lib/ops/upgrade-plan.js';
import { readPackageVersion } from '../../poller/lib/config/package-version.js';
import { runAppliance } from './ops-cli-harness.js';

// docker, systemctl and npm cannot do their real work on this machine (no Docker engine, no systemd as PID 1,
// no publishing of this package), so ONLY those three are stub scripts in a temporary PATH directory: each
// records its argv to a log and fails when told to. usm-poller is the real poller (a wrapper that runs
// poller/bin.ts), so the version check after a systemd upgrade reads the real --version.

const REPO = resolve(import.meta.dirname, '../..');
const VERSION = readPackageVersion();
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'usm-upgrade-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Stubs {
  env: Record<string, string | undefined>;
  calls(): Promise<string[]>;
  failOn(prefix: string): Promise<void>;
}

async function makeStubs(name: string): Promise<Stubs> {
  const bin = join(dir, name, 'bin');
  await mkdir(bin, { recursive: true });
  const log = join(bin, 'calls.log');
  const fail = join(bin, 'fail-on');
  await writeFile(log, '');
  for (const tool of ['docker', 'systemctl', 'npm']) {
    const script = `#!/bin/sh
line="${tool} $*"
echo "$line" >> '${log}'
if [ -s '${fail}' ]; then
  case "$line" in "$(cat '${fail}')"*) echo "${tool}: simulated failure" >&2; exit 1;; esac
fi
exit 0
`;
    await writeFile(join(bin, tool), script, { mode: 0o755 });
  }
  await writeFile(join(bin, 'usm-poller'), `#!/bin/sh\ncd '${REPO}' && exec '${process.execPath}' --import tsx poller/bin.ts "$@"\n`, { mode: 0o755 });
  return {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` },
    calls: async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean),
    failOn: (prefix) => writeFile(fail, prefix),
  };
}

async function composeRoot(name: string, drainMs?: number): Promise<{ root: string; compose: string; original: string }> {
  const root = join(dir, name, 'root');
  await mkdir(join(root, 'opt/usm_poller'), { recursive: true });
  const original = renderComposeFile({ image: 'ghcr.io/usm-appliance/poller:0.0.9', replicas: 3 });
  const compose = join(root, 'opt/usm_poller/compose.yaml');
  await writeFile(compose, original, { mode: 0o640 });
  await chmod(compose, 0o640);
  const env = `# written by setup\nUS_AMQP_DSN='amqp://sat:pw@10.77.0.1:5672/%2f'\n${drainMs === undefined ? '' : `USM_POLLER_DRAIN_TIMEOUT_MS='${drainMs}'\n`}`;
  await writeFile(join(root, 'opt/usm_poller/poller.env'), env, { mode: 0o600 });
  return { root, compose, original };
}

async function systemdRoot(name: string): Promise<string> {
  const root = join(dir, name, 'root');
  await mkdir(join(root, 'etc/systemd/system'), { recursive: true });
  await writeFile(join(root, 'etc/systemd/system/usm-poller.service'), '[Service]\nExecStart=/usr/bin/node /usr/lib/node_modules/usm-appliance/dist/poller/bin.js\n');
  return root;
}

test('rewriteComposeImage sets the tag, keeps comments and every other key, drops a digest pin', () => {
  const original = renderComposeFile({ image: 'ghcr.io/usm-appliance/poller:0.0.9@sha256:' + 'a'.repeat(64), replicas: 2 });
  const { text, from, to } = rewriteComposeImage(original, 'poller', '3.18.1');
  assert.equal(from, `ghcr.io/usm-appliance/poller:0.0.9@sha256:${'a'.repeat(64)}`);
  assert.equal(to, 'ghcr.io/usm-appliance/poller:3.18.1');
  assert.equal(text, original.replace(from, to), 'only the image line changes');
  assert.equal(imageRepository('usm-appliance/poller'), 'usm-appliance/poller');
  assert.equal(imageRepository('localhost:5000/poller'), 'localhost:5000/poller');
  assert.throws(() => rewriteComposeImage(original, 'worker', '1.0.0'), /no services\.worker\.image \(services: poller\); give --service/);
});

test('planUpgradeSteps: compose pulls before the drain, systemd drains before the install and restarts on failure', () => {
  assert.equal(stopTimeoutSeconds(30_000), 45);
  const compose = planUpgradeSteps({ manager: 'compose', version: '3.18.0', composePath: '/opt/usm_poller/compose.yaml', service: 'poller', drainTimeoutMs: 60_000 });
  assert.deepEqual(compose.map((s) => [s.file, ...s.args].join(' ')), [
    'docker compose -f /opt/usm_poller/compose.yaml --project-name usm_poller pull poller',
    'docker compose -f /opt/usm_poller/compose.yaml --project-name usm_poller stop --timeout 75 poller',
    'docker compose -f /opt/usm_poller/compose.yaml --project-name usm_poller up -d poller',
  ]);
  const systemd = planUpgradeSteps({ manager: 'systemd', version: '3.18.0', service: 'usm-poller.service', drainTimeoutMs: 30_000 });
  assert.deepEqual(systemd.map((s) => [s.file, ...s.args].join(' ')), [
    'systemctl stop usm-poller.service',
    'npm install --global --no-audit --no-fund usm-appliance@3.18.0',
    'systemctl start usm-poller.service',
    'usm-poller --version',
  ]);
  assert.deepEqual(systemd[1]!.onFailure, { file: 'systemctl', args: ['start', 'usm-poller.service'] });
  assert.throws(() => planUpgradeSteps({ manager: 'systemd', version: 'latest', service: 'x', drainTimeoutMs: 1 }), /--version: must be a release/);
});

test('upgrade --dry-run (compose) prints the masked diff and the commands, runs nothing, changes nothing', async () => {
  const stubs = await makeStubs('dry');
  const { root, compose, original } = await composeRoot('dry', 60_000);
  const result = await runAppliance(['upgrade', '--version', '3.18.0', '--root', root, '--dry-run'], stubs.env);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^Upgrade compose poller to 3\.18\.0 \(image ghcr\.io\/usm-appliance\/poller:0\.0\.9 -> ghcr\.io\/usm-appliance\/poller:3\.18\.0\)/);
  assert.match(result.stdout, /update\s+\/opt\/usm_poller\/compose.yaml/);
  assert.match(result.stdout, /^-    image: ghcr\.io\/usm-appliance\/poller:0\.0\.9$/m);
  assert.match(result.stdout, /^\+    image: ghcr\.io\/usm-appliance\/poller:3\.18\.0$/m);
  assert.match(result.stdout, new RegExp(`2\\. docker compose -f ${compose.replaceAll('/', '\\/')} --project-name usm_poller stop --timeout 75 poller\\n\\s+drain: SIGTERM, wait up to 75 s`));
  assert.deepEqual(await stubs.calls(), []);
  assert.equal(await readFile(compose, 'utf8'), original);
});

test('upgrade (compose) writes the new tag keeping the mode, then pull, stop with the drain timeout, up -d', async () => {
  const stubs = await makeStubs('compose');
  const { root, compose, original } = await composeRoot('compose');
  const result = await runAppliance(['upgrade', '--version', '3.18.0', '--root', root], stubs.env);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(await stubs.calls(), [
    `docker compose -f ${compose} --project-name usm_poller pull poller`,
    `docker compose -f ${compose} --project-name usm_poller stop --timeout 45 poller`,
    `docker compose -f ${compose} --project-name usm_poller up -d poller`,
  ]);
  assert.equal(await readFile(compose, 'utf8'), original.replace('poller:0.0.9', 'poller:3.18.0'));
  assert.equal((await stat(compose)).mode & 0o777, 0o640);
  assert.match(result.stdout, /upgraded to 3\.18\.0/);
});

test('upgrade (compose): a failed pull puts the compose file back and never stops the poller', async () => {
  const stubs = await makeStubs('pull-fails');
  const { root, compose, original } = await composeRoot('pull-fails');
  await stubs.failOn('docker compose');
  const result = await runAppliance(['upgrade', '--version', '3.18.0', '--root', root], stubs.env);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /pull poller failed: docker: simulated failure; nothing was changed/);
  assert.deepEqual(await stubs.calls(), [`docker compose -f ${compose} --project-name usm_poller pull poller`]);
  assert.equal(await readFile(compose, 'utf8'), original);
});

test(`upgrade (systemd) stops (drain), installs, starts, and checks the real usm-poller --version (${VERSION})`, async () => {
  const stubs = await makeStubs('systemd');
  const root = await systemdRoot('systemd');
  const result = await runAppliance(['upgrade', '--version', VERSION, '--root', root], stubs.env);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(await stubs.calls(), [
    'systemctl stop usm-poller.service',
    `npm install --global --no-audit --no-fund usm-appliance@${VERSION}`,
    'systemctl start usm-poller.service',
  ]);

  const mismatch = await runAppliance(['upgrade', '--version', '9.9.9', '--root', root], stubs.env);
  assert.equal(mismatch.code, 1);
  assert.match(mismatch.stderr, new RegExp(`usm-poller reports "${VERSION.replaceAll('.', '\\.')}" after the upgrade, expected 9\\.9\\.9`));
});

test('upgrade (systemd): a failed install starts the old version again', async () => {
  const stubs = await makeStubs('npm-fails');
  const root = await systemdRoot('npm-fails');
  await stubs.failOn('npm install');
  const result = await runAppliance(['upgrade', '--version', '3.18.0', '--root', root], stubs.env);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /npm install .* failed: npm: simulated failure; the previous version was started again/);
  assert.deepEqual(await stubs.calls(), [
    'systemctl stop usm-poller.service',
    'npm install --global --no-audit --no-fund usm-appliance@3.18.0',
    'systemctl start usm-poller.service',
  ]);
});

test('upgrade refuses to guess: both managers present, none present, bad version', async () => {
  const stubs = await makeStubs('guess');
  const { root } = await composeRoot('guess');
  await mkdir(join(root, 'etc/systemd/system'), { recursive: true });
  await writeFile(join(root, 'etc/systemd/system/usm-poller.service'), '[Service]\n');
  const both = await runAppliance(['upgrade', '--version', '3.18.0', '--root', root], stubs.env);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--manager: both \/opt\/usm_poller\/compose.yaml and usm-poller.service exist/);
  const chosen = await runAppliance(['upgrade', '--version', '3.18.0', '--root', root, '--manager', 'systemd', '--dry-run'], stubs.env);
  assert.equal(chosen.code, 0, chosen.stderr);
  assert.match(chosen.stdout, /1\. systemctl stop usm-poller.service/);

  const none = await runAppliance(['upgrade', '--version', '3.18.0', '--root', join(dir, 'empty')], stubs.env);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /found neither \/opt\/usm_poller\/compose.yaml nor a usm-poller.service unit/);
  const bad = await runAppliance(['upgrade', '--version', 'latest', '--root', root], stubs.env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--version: must be a release like 3\.18\.0/);
  assert.deepEqual(await stubs.calls(), []);
});
