import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { renderPollerEnv } from '../../provision/lib/satellite-files/poller-env.js';
import { renderComposeFile, CONTAINER_STATUS_FILE } from '../../provision/lib/satellite-files/compose-file.js';
import { loadConfig } from '../../poller/lib/config/load-config.js';
import { isUsmError } from '../../common/usm-error.js';
import { goldenChecker } from '../support/golden.js';


const expectGolden = goldenChecker('provision/satellite-files');

/** Reads an env file the way a POSIX shell does (single quotes literal), as an independent parser. */
async function readEnvWithShell(text: string): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'usm-env-test-'));
  try {
    const file = join(dir, 'poller.env');
    await writeFile(file, text, { mode: 0o600 });
    const result = await execa('sh', ['-c', 'set -a; . "$1"; env -0', 'sh', file], { env: {}, extendEnv: false, timeout: 10_000 });
    return Object.fromEntries(
      String(result.stdout)
        .split('\0')
        .filter(Boolean)
        .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const WG_ENV = {
  dsn: 'amqp://usm-sat-7:Q2xpZW50LXBhc3N3b3JkLTAxMjM0NTY3ODk@10.77.0.1:5672/%2f',
  satelliteId: '7',
  concurrency: 32,
  localAddress: '10.77.0.7',
  logLevel: 'info' as const,
};

test('poller env for the WireGuard transport (golden) reads back through the poller\'s own config loader', async () => {
  const text = renderPollerEnv(WG_ENV);
  await expectGolden('poller-wireguard.env', text);
  const env = await readEnvWithShell(text);
  const config = loadConfig(env);
  assert.deepEqual(config.urls, [WG_ENV.dsn]);
  assert.equal(config.satelliteId, '7');
  assert.equal(config.queue, 'usm_poller-sat-7');
  assert.equal(config.concurrency, 32);
  assert.equal(config.localAddress, '10.77.0.7');
});

test('poller env for amqps with TLS files and servername (golden)', async () => {
  const text = renderPollerEnv({
    dsn: 'amqps://usm-sat-edge-2:pw-0123456789abcdef@rabbit.isp.example:5671/%2f',
    satelliteId: 'edge-2',
    tls: {
      caFile: '/etc/usm-poller/tls/ca.pem',
      certFile: '/etc/usm-poller/tls/client.pem',
      keyFile: '/etc/usm-poller/tls/client.key',
      servername: 'rabbit.isp.example',
    },
    statusFile: '/run/usm-poller/status.json',
  });
  await expectGolden('poller-amqps.env', text);
  const config = loadConfig(await readEnvWithShell(text));
  assert.equal(config.tls.keyFile, '/etc/usm-poller/tls/client.key');
  assert.equal(config.tls.servername, 'rabbit.isp.example');
  assert.equal(config.concurrency, 64);
});

test('values are single-quoted literally ($ stays $); a quote in the URL is percent-encoded', async () => {
  const dsn = "amqp://u:p$HOME%5Cx%23y'z@10.77.0.1:5672/%2f";
  const text = renderPollerEnv({ ...WG_ENV, dsn });
  assert.match(text, /^US_AMQP_DSN='amqp:\/\/u:p\$HOME%5Cx%23y%27z@10\.77\.0\.1:5672\/%2f'$/m);
  const env = await readEnvWithShell(text);
  assert.equal(env.US_AMQP_DSN, 'amqp://u:p$HOME%5Cx%23y%27z@10.77.0.1:5672/%2f');
  assert.equal(decodeURIComponent(new URL(env.US_AMQP_DSN ?? '').password), "p$HOME\\x#y'z");
});

test('bad poller env input names each field', () => {
  assert.throws(
    () => renderPollerEnv({ ...WG_ENV, dsn: 'http://x', localAddress: 'tunnel', concurrency: 0 }),
    (error: unknown) => {
      assert.ok(isUsmError(error));
      const problems = error.problems.join('\n');
      assert.match(problems, /^dsn: must be an amqp/m);
      assert.match(problems, /^localAddress: must be an IPv4 or IPv6/m);
      assert.match(problems, /^concurrency: /m);
      return true;
    },
  );
  assert.throws(() => renderPollerEnv({ ...WG_ENV, tls: { caFile: '/ca.pem' } }), (error: unknown) => isUsmError(error) && /^tls: TLS settings need an amqps/m.test(error.problems.join('\n')));
  assert.throws(() => renderPollerEnv({ ...WG_ENV, dsn: 'amqp://u:p@host/%2f\nUSM_POLLER_LOG_LEVEL=trace' }), /invalid poller environment/);
});

test('compose file (golden) parses as YAML with the hardening keys', async () => {
  const text = renderComposeFile({ image: 'usm-appliance/poller:0.1.0', replicas: 3, tlsDir: '/etc/usm-poller/tls' });
  await expectGolden('compose-amqps.yaml', text);
  await expectGolden('compose-default.yaml', renderComposeFile());
  const doc = parse(text) as { services: Record<string, Record<string, unknown>> };
  assert.deepEqual(Object.keys(doc.services), ['poller']);
  const poller = doc.services.poller ?? {};
  assert.equal(poller.image, 'usm-appliance/poller:0.1.0');
  assert.equal(poller.restart, 'unless-stopped');
  assert.deepEqual(poller.env_file, ['./poller.env']);
  assert.equal(poller.network_mode, 'host');
  assert.equal(poller.ports, undefined);
  assert.equal(poller.read_only, true);
  assert.match(String((poller.tmpfs as string[])[0]), /^\/tmp:/);
  assert.deepEqual(poller.cap_drop, ['ALL']);
  assert.deepEqual(poller.cap_add, ['NET_RAW']);
  assert.deepEqual(poller.security_opt, ['no-new-privileges:true']);
  assert.deepEqual(poller.volumes, ['/etc/usm-poller/tls:/etc/usm-poller/tls:ro']);
  assert.deepEqual(poller.deploy, { replicas: 3 });
  assert.deepEqual((poller.healthcheck as { test: string[] }).test, ['CMD', 'usm-poller', 'health', '--file', CONTAINER_STATUS_FILE]);
  assert.deepEqual(poller.logging, { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } });
  assert.doesNotMatch(text, /US_AMQP_DSN|password/i, 'no secret inline');
});

test('bad compose input names the field', () => {
  assert.throws(
    () => renderComposeFile({ image: 'Bad Image', replicas: 0 }),
    (error: unknown) => isUsmError(error) && /^image: /m.test(error.problems.join('\n')) && /^replicas: /m.test(error.problems.join('\n')),
  );
});
