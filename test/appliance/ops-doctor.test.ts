import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckResult } from '../../appliance/lib/ops/doctor-checks.js';
import { runAppliance } from './ops-cli-harness.js';

// Runs the real checks on this machine (root, wireguard-go, nftables, RabbitMQ on 127.0.0.1:5672).
// Only the appliance's files live in a temp --root; the broker probes go to 127.0.0.0/8 only.

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'usm-doctor-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rootWithEnv(name: string, env: string, wgConf?: string): Promise<string> {
  const root = join(dir, name);
  await mkdir(join(root, 'etc/usm-appliance'), { recursive: true });
  await writeFile(join(root, 'etc/usm-appliance/poller.env'), env, { mode: 0o600 });
  if (wgConf) {
    await mkdir(join(root, 'etc/wireguard'), { recursive: true });
    await writeFile(join(root, 'etc/wireguard', wgConf), '[Interface]\n', { mode: 0o600 });
  }
  return root;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function doctorJson(root: string, env: Record<string, string | undefined> = process.env) {
  const result = await runAppliance(['doctor', '--root', root, '--json'], env);
  const parsed = JSON.parse(result.stdout) as { checks: CheckResult[]; summary: { ok: number; warn: number; fail: number } };
  const byId = new Map(parsed.checks.map((c) => [c.id, c]));
  return { ...result, ...parsed, check: (id: string) => byId.get(id)! };
}

test('doctor on this node: tools found, broker on 127.0.0.1:5672 reached from 127.0.0.2, exit 0', async () => {
  const root = await rootWithEnv('healthy', "US_AMQP_DSN='amqp://guest:guest@127.0.0.1:5672/%2f'\nUSM_POLLER_LOCAL_ADDRESS='127.0.0.2'\n");
  const r = await doctorJson(root);
  assert.equal(r.code, 0, r.stdout);
  assert.deepEqual(r.checks.map((c) => c.id), ['wireguard', 'tun', 'nftables', 'service-manager', 'clock', 'dns', 'tunnel', 'broker']);
  for (const c of r.checks) {
    assert.ok(['ok', 'warn', 'fail'].includes(c.status), c.id);
    assert.ok(c.detail.length > 0, c.id);
    if (c.status !== 'ok') assert.ok(c.fix, `${c.id} has a fix`);
  }
  assert.equal(r.check('wireguard').status, 'ok');
  assert.match(r.check('wireguard').detail, /kernel module|wireguard-go/);
  assert.equal(r.check('tun').status, 'ok');
  assert.equal(r.check('nftables').status, 'ok');
  assert.match(r.check('nftables').detail, /^nftables v\d+\.\d+/);
  assert.equal(r.check('service-manager').status, 'ok');
  assert.match(r.check('service-manager').detail, /systemd \d+|docker compose/);
  assert.notEqual(r.check('clock').status, 'fail', 'clock is a warning at worst');
  assert.equal(r.check('tunnel').status, 'ok');
  assert.match(r.check('tunnel').detail, /no tunnel configured/);
  assert.deepEqual([r.check('broker').status, r.check('broker').detail], ['ok', '127.0.0.1:5672 reached from 127.0.0.2']);
  assert.deepEqual(r.summary.fail, 0);
  assert.equal(r.summary.ok + r.summary.warn, 8);
  assert.equal(r.stdout.includes('guest:guest'), false, 'no credentials in the report');
});

test('doctor fails on an unreachable broker and a configured tunnel that is not up, each with a fix; text output', async () => {
  const port = await closedPort();
  const root = await rootWithEnv('broken', `US_AMQP_DSN='amqp://u:p@127.0.0.1:${port}/%2f,amqp://u:p@127.0.0.1:5672/%2f'\n`, 'usmdoc9.conf');
  const r = await doctorJson(root);
  assert.equal(r.code, 1);
  assert.equal(r.check('broker').status, 'warn', 'one of two cluster nodes reached');
  assert.match(r.check('broker').detail, new RegExp(`127\\.0\\.0\\.1:${port} not reached \\(ECONNREFUSED\\); 127\\.0\\.0\\.1:5672 reached`));
  assert.equal(r.check('tunnel').status, 'fail');
  assert.match(r.check('tunnel').detail, /^usmdoc9 is configured but not up/);
  assert.equal(r.check('tunnel').fix, 'systemctl start wg-quick@usmdoc9 (or usm-appliance run)');

  const down = await rootWithEnv('down', `US_AMQP_DSN='amqp://u:p@127.0.0.1:${port}/%2f'\n`);
  const text = await runAppliance(['doctor', '--root', down]);
  assert.equal(text.code, 1);
  assert.match(text.stdout, new RegExp(`^FAIL broker\\s+127\\.0\\.0\\.1:${port} not reached \\(ECONNREFUSED\\)$`, 'm'));
  assert.match(text.stdout, /^\s+fix: check the tunnel/m);
  assert.match(text.stdout, /^OK   nftables\s+nftables v/m);
  assert.match(text.stdout, /\d+ ok, \d+ warn, 1 fail\n$/);
});

test('doctor names missing tools: an empty PATH makes wireguard, nftables and the service manager fail', async () => {
  const emptyBin = join(dir, 'empty-bin');
  await mkdir(emptyBin, { recursive: true });
  const r = await doctorJson(join(dir, 'no-config'), { ...process.env, PATH: emptyBin });
  assert.equal(r.code, 1);
  assert.deepEqual([r.check('wireguard').status, r.check('wireguard').fix], ['fail', 'apt-get install wireguard-tools']);
  assert.deepEqual([r.check('nftables').status, r.check('nftables').fix], ['fail', 'apt-get install nftables']);
  assert.equal(r.check('service-manager').status, 'fail');
  assert.equal(r.check('clock').status, 'warn');
  assert.equal(r.check('broker').status, 'warn');
  assert.match(r.check('broker').detail, /no US_AMQP_DSN/);
});
