import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { answersSchema, renderAnswersYaml, type Answers } from '../../provision/index.js';
import { makeWireguardAnswers } from '../support/satellite-answers.js';
import { parseEnvFile, placeEnvUnderRoot } from '../../appliance/lib/satellite/poller-env-file.js';
import { buildSatelliteFiles } from '../../appliance/lib/satellite/satellite-files.js';
import { classifyBrokerError } from '../../appliance/lib/satellite/broker-link.js';
import { composeCommands, systemdCommands } from '../../appliance/lib/satellite/service-manager.js';

// setup --no-start / --dry-run on real files under a temp --root, and the pure pieces.

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = [process.execPath, '--import', 'tsx', join(REPO, 'appliance', 'bin.ts')];

const wireguardAnswers = makeWireguardAnswers;

async function setup(dir: string, answers: Answers, ...flags: string[]) {
  const file = join(dir, `answers-${Math.random().toString(16).slice(2)}.yaml`);
  await writeFile(file, renderAnswersYaml(answers), { mode: 0o600 });
  const result = await execa(CLI[0]!, [...CLI.slice(1), 'setup', '--answers', file, '--root', join(dir, 'root'), ...flags], { reject: false, timeout: 60_000, cwd: REPO });
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode };
}

test('setup --no-start writes every file with its mode; secrets only in 0600 files; a re-run changes nothing', { timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'usm-sat-setup-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const answers = wireguardAnswers();
  const first = await setup(dir, answers, '--no-start');
  assert.equal(first.exitCode, 0, first.stderr);
  const root = join(dir, 'root');
  const expected: Array<[string, number]> = [
    ['etc/wireguard/usm0.conf', 0o600], ['etc/usm-appliance/satellite.yaml', 0o600], ['etc/usm-appliance/poller.env', 0o600],
    ['opt/usm_poller/compose.yaml', 0o644], ['etc/systemd/system/usm-poller.service', 0o644], ['etc/usm-appliance/firewall.nft', 0o644],
  ];
  const secrets = [answers.broker.password, answers.transport === 'wireguard' ? answers.wireguard.privateKey : '', answers.transport === 'wireguard' ? answers.wireguard.core.presharedKey : ''];
  for (const [path, mode] of expected) {
    assert.equal((await stat(join(root, path))).mode & 0o777, mode, path);
    const content = await readFile(join(root, path), 'utf8');
    if (mode !== 0o600) for (const secret of secrets) assert.ok(!content.includes(secret), `${path} holds no secret`);
  }
  for (const secret of secrets) assert.ok(!`${first.stdout}${first.stderr}`.includes(secret));
  const env = parseEnvFile(await readFile(join(root, 'etc/usm-appliance/poller.env'), 'utf8'));
  assert.equal(env.USM_POLLER_LOCAL_ADDRESS, '10.77.0.2');
  assert.equal(env.USM_POLLER_SATELLITE_ID, '7');
  assert.match(env.US_AMQP_DSN ?? '', /^amqp:\/\/usm-sat-7:[^@]+@10\.77\.0\.1:5672\/%2f$/);
  const compose = await readFile(join(root, 'opt/usm_poller/compose.yaml'), 'utf8');
  for (const line of ['network_mode: host', 'read_only: true', 'restart: unless-stopped', '- NET_RAW', '- ALL', '/etc/usm-appliance/poller.env']) assert.ok(compose.includes(line), line);
  assert.doesNotMatch(compose, /ports:/);
  const firewall = await readFile(join(root, 'etc/usm-appliance/firewall.nft'), 'utf8');
  assert.match(firewall, /policy drop/);
  assert.match(firewall, /ip saddr 192\.0\.2\.1 udp dport 51820 accept/);

  const again = await setup(dir, answers, '--no-start');
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stdout, /nothing to change/);

  // New answers: only the difference is written, and the dry run shows it masked first.
  const changed = answersSchema.parse({ ...answers, poller: { ...answers.poller, concurrency: 128 } });
  const dry = await setup(dir, changed, '--no-start', '--dry-run');
  assert.equal(dry.exitCode, 0, dry.stderr);
  assert.match(dry.stdout, /update\s+\/etc\/usm-appliance\/poller.env/);
  assert.match(dry.stdout, /unchanged\s+\/etc\/wireguard\/usm0.conf/);
  assert.match(dry.stdout, /US_AMQP_DSN=<redacted>|US_AMQP_DSN/);
  for (const secret of secrets) assert.ok(!dry.stdout.includes(secret), 'dry run masks secrets');
  assert.match(dry.stdout, /dry run: nothing was changed/);
  assert.equal(parseEnvFile(await readFile(join(root, 'etc/usm-appliance/poller.env'), 'utf8')).USM_POLLER_CONCURRENCY, '64');
  const applied = await setup(dir, changed, '--no-start');
  assert.equal(applied.exitCode, 0, applied.stderr);
  assert.match(applied.stderr, /update\s+\/etc\/usm-appliance\/poller.env/);
  assert.doesNotMatch(applied.stderr, /usm0.conf/);
});

test('the installed unit passes systemd-analyze verify and rates 2.0 or less in systemd-analyze security', { timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'usm-sat-unit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const result = await setup(dir, wireguardAnswers(), '--no-start');
  assert.equal(result.exitCode, 0, result.stderr);
  const unit = join(dir, 'root/etc/systemd/system/usm-poller.service');
  const verify = await execa('systemd-analyze', ['verify', unit], { reject: false, timeout: 60_000 });
  assert.equal(verify.exitCode, 0, String(verify.stderr));
  const security = await execa('systemd-analyze', ['security', '--offline=yes', unit], { reject: false, timeout: 60_000 });
  const exposure = Number(/Overall exposure level for usm-poller\.service: ([\d.]+)/.exec(String(security.stdout))?.[1]);
  console.log(`figures: systemd-analyze security exposure ${exposure}`);
  assert.ok(exposure <= 2.0, String(security.stdout).slice(-500));
});

test('pure pieces: env file parsing, paths under root, service argv, broker error classes, amqps files', () => {
  const env = parseEnvFile("# comment\nUS_AMQP_DSN='amqp://u:p@h:5672/%2f'\nUSM_POLLER_STATUS_FILE='/run/usm-poller/status.json'\n\nPLAIN=x\n");
  assert.deepEqual(env, { US_AMQP_DSN: 'amqp://u:p@h:5672/%2f', USM_POLLER_STATUS_FILE: '/run/usm-poller/status.json', PLAIN: 'x' });
  assert.equal(placeEnvUnderRoot(env, '/srv/r').USM_POLLER_STATUS_FILE, '/srv/r/run/usm-poller/status.json');
  assert.equal(placeEnvUnderRoot(env, '/srv/r').US_AMQP_DSN, env.US_AMQP_DSN);
  assert.throws(() => parseEnvFile('not a line'), /line 1/);

  const answers = wireguardAnswers();
  assert.deepEqual(systemdCommands(answers).start, [['daemon-reload'], ['enable', '--now', 'wg-quick@usm0.service'], ['enable', '--now', 'usm-poller.service']]);
  assert.deepEqual(composeCommands('/', answers).start.slice(-2), ['up', '--detach']);

  assert.equal(classifyBrokerError(Object.assign(new Error('Hostname/IP does not match certificate\'s altnames'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'amqps://u:xxxxx@h:5671/', 'x.test').code, 'E_TLS_NAME');
  assert.equal(classifyBrokerError(Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), 'amqps://u:xxxxx@h:5671/').code, 'E_TLS_CA');
  assert.equal(classifyBrokerError(new Error('Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused"'), 'amqp://usm-sat-7:xxxxx@h:5672/').code, 'E_BROKER_AUTH');
  assert.equal(classifyBrokerError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'amqp://u:xxxxx@h:5672/').code, 'E_BROKER');

  const files = buildSatelliteFiles(answers, { manager: 'foreground', coreEndpointAddress: '192.0.2.1', nodePath: '/usr/bin/node', pollerScript: '/opt/x/dist/poller/bin.js' });
  assert.match(files.find((f) => f.path === '/etc/wireguard/usm0.conf')?.content ?? '', /ListenPort = 51820/);
});
