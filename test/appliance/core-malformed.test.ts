import { before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { STATE, makeRoot, removeRoot, runCore, snapshotTree } from './core-harness.js';

/**
 * Malformed arguments and state files, table-driven: each is refused with
 * one error that names the flag or the field, and leaves the --root tree
 * exactly as it was (paths, modes, content hashes, mtimes).
 */

let template = '';
let validState: Record<string, unknown> = {};
const roots: string[] = [];

before(async () => {
  template = await makeRoot('core-malformed-template');
  const init = await runCore(['core', 'init', '--endpoint', 'core.example.net', '--root', template]);
  assert.equal(init.code, 0, init.stderr);
  const add = await runCore(['core', 'add-satellite', '--id', '1', '--no-broker', '--root', template]);
  assert.equal(add.code, 0, add.stderr);
  const { readFile } = await import('node:fs/promises');
  validState = YAML.parse(await readFile(join(template, STATE), 'utf8')) as Record<string, unknown>;
});

after(async () => {
  await removeRoot(template);
  for (const root of roots) await removeRoot(root);
});

async function freshRoot(kind: 'empty' | 'initialised'): Promise<string> {
  const root = await makeRoot('core-malformed');
  roots.push(root);
  if (kind === 'initialised') await cp(template, root, { recursive: true, preserveTimestamps: true });
  return root;
}

async function expectRefused(root: string, argv: string[], field: RegExp, code?: number): Promise<void> {
  const before = await snapshotTree(root);
  const result = await runCore(argv.includes('--root') ? argv : [...argv, '--root', root]);
  assert.notEqual(result.code, 0, `accepted: ${argv.join(' ')}\n${result.stdout}`);
  if (code !== undefined) assert.equal(result.code, code, result.stderr);
  assert.match(result.stderr, field);
  assert.equal(result.stdout, '');
  assert.deepEqual(await snapshotTree(root), before, 'something was written');
}

const LONG_ID = 'x'.repeat(65);

const argumentCases: Array<{ name: string; root: 'empty' | 'initialised'; argv: string[]; field: RegExp }> = [
  { name: 'init without --endpoint', root: 'empty', argv: ['core', 'init'], field: /--endpoint: required/ },
  { name: 'endpoint with a bad host', root: 'empty', argv: ['core', 'init', '--endpoint', 'bad host!'], field: /--endpoint: .*not a valid host name/ },
  { name: 'endpoint port 0', root: 'empty', argv: ['core', 'init', '--endpoint', 'core.example.net:0'], field: /--endpoint: .*port must be 1-65535/ },
  { name: 'endpoint port 70000', root: 'empty', argv: ['core', 'init', '--endpoint', 'core.example.net:70000'], field: /--endpoint: .*port must be 1-65535/ },
  { name: 'endpoint IPv6 without "]"', root: 'empty', argv: ['core', 'init', '--endpoint', '[2001:db8::1'], field: /--endpoint: .*missing "\]"/ },
  { name: 'empty endpoint', root: 'empty', argv: ['core', 'init', '--endpoint', ''], field: /--endpoint: / },
  { name: 'subnet not a network address', root: 'empty', argv: ['core', 'init', '--endpoint', 'c.example', '--subnet', '10.77.0.5/24'], field: /--subnet: .*did you mean 10\.77\.0\.0\/24/ },
  { name: 'subnet too small', root: 'empty', argv: ['core', 'init', '--endpoint', 'c.example', '--subnet', '10.77.0.0/31'], field: /--subnet: .*prefix \/31/ },
  { name: 'subnet nonsense', root: 'empty', argv: ['core', 'init', '--endpoint', 'c.example', '--subnet', 'lots'], field: /--subnet: / },
  { name: 'unknown transport', root: 'empty', argv: ['core', 'init', '--endpoint', 'c.example', '--transport', 'ipsec'], field: /--transport: must be "wireguard" or "amqps"/ },
  { name: 'listen port 0', root: 'empty', argv: ['core', 'init', '--endpoint', 'c.example', '--listen-port', '0'], field: /--listen-port: must be a port number/ },
  { name: 'listen port text', root: 'empty', argv: ['core', 'init', '--endpoint', 'c.example', '--listen-port', 'abc'], field: /--listen-port: must be a port number/ },
  { name: 'listen port 65536', root: 'empty', argv: ['core', 'init', '--endpoint', 'c.example', '--listen-port', '65536'], field: /--listen-port: must be a port number/ },
  { name: 'vhost with a space', root: 'empty', argv: ['core', 'init', '--endpoint', 'c.example', '--vhost', 'a b'], field: /--vhost: must not contain spaces/ },
  { name: 'interface name too long', root: 'empty', argv: ['core', 'init', '--endpoint', 'c.example', '--interface', 'much-too-long-name'], field: /--interface: must be a wg-quick interface name/ },
  { name: '--broker-host with wireguard', root: 'empty', argv: ['core', 'init', '--endpoint', 'c.example', '--broker-host', 'rabbit'], field: /--broker-host: only for --transport amqps/ },
  { name: '--subnet with amqps', root: 'empty', argv: ['core', 'init', '--endpoint', 'c.example', '--transport', 'amqps', '--subnet', '10.1.0.0/24'], field: /--subnet: only for --transport wireguard/ },
  { name: 'amqps server name IPv6', root: 'empty', argv: ['core', 'init', '--endpoint', '[2001:db8::1]', '--transport', 'amqps'], field: /--endpoint: the AMQPS server name/ },
  { name: 'unknown flag', root: 'empty', argv: ['core', 'init', '--endpoint', 'c.example', '--bogus'], field: /Unknown option '--bogus'/ },
  { name: 'stray positional argument', root: 'empty', argv: ['core', 'init', '--endpoint', 'c.example', 'extra'], field: /Unexpected argument 'extra'/ },
  { name: 'add-satellite before init', root: 'empty', argv: ['core', 'add-satellite', '--id', '1'], field: /core\.yaml does not exist: run usm-appliance core init first/ },
  { name: 'add-satellite without --id', root: 'initialised', argv: ['core', 'add-satellite'], field: /--id: required/ },
  { name: 'id with a space', root: 'initialised', argv: ['core', 'add-satellite', '--id', 'a b'], field: /--id: must be 1-64 characters/ },
  { name: 'id of 65 characters', root: 'initialised', argv: ['core', 'add-satellite', '--id', LONG_ID], field: /--id: must be 1-64 characters/ },
  { name: 'id with a slash', root: 'initialised', argv: ['core', 'add-satellite', '--id', '../7'], field: /--id: must be 1-64 characters/ },
  { name: 'name with a line break', root: 'initialised', argv: ['core', 'add-satellite', '--id', '2', '--name', 'a\nb'], field: /--name: must be one line/ },
  { name: 'empty name', root: 'initialised', argv: ['core', 'add-satellite', '--id', '2', '--name', ''], field: /--name: must not be empty/ },
  { name: 'bad node name', root: 'initialised', argv: ['core', 'add-satellite', '--id', '2', '--node', 'no spaces please'], field: /--node: must be a RabbitMQ node name/ },
  { name: 'existing id', root: 'initialised', argv: ['core', 'add-satellite', '--id', '1', '--no-broker'], field: /--id: satellite "1" already exists/ },
  { name: 'remove an unknown id', root: 'initialised', argv: ['core', 'remove-satellite', '--id', '2'], field: /--id: no satellite "2" \(enrolled: 1\)/ },
  { name: 'rotate --finish with --cancel', root: 'initialised', argv: ['core', 'rotate-satellite', '--id', '1', '--finish', '--cancel'], field: /--cancel: cannot be combined with --finish/ },
  { name: 'rotate --force without --finish', root: 'initialised', argv: ['core', 'rotate-satellite', '--id', '1', '--force'], field: /--force: only with --finish/ },
  { name: 'rotate --out with --finish', root: 'initialised', argv: ['core', 'rotate-satellite', '--id', '1', '--finish', '--out', '/tmp/x.yaml'], field: /--out: only when starting a rotation/ },
  { name: 'finish without a rotation', root: 'initialised', argv: ['core', 'rotate-satellite', '--id', '1', '--finish'], field: /--id: satellite "1" has no rotation pending/ },
  { name: 'list --dry-run (list changes nothing anyway)', root: 'initialised', argv: ['core', 'list', '--dry-run'], field: /Unknown option '--dry-run'/ },
  { name: 'up on an uninitialised root', root: 'empty', argv: ['core', 'up'], field: /does not exist: run usm-appliance core init first/ },
  { name: '--root that does not exist', root: 'empty', argv: ['core', 'list', '--root', '/nonexistent/usm-root'], field: /--root: \/nonexistent\/usm-root is not an existing directory/ },
];

describe('malformed arguments', () => {
  for (const c of argumentCases) {
    test(c.name, async () => {
      await expectRefused(await freshRoot(c.root), c.argv, c.field);
    });
  }
});

type Mutation = (state: any) => void;

const stateCases: Array<{ name: string; text?: string; mutate?: Mutation; field: RegExp }> = [
  { name: 'empty file', text: '', field: /the file is empty/ },
  { name: 'not YAML', text: 'version: 1\n  transport: [wireguard\n', field: /not valid YAML[\s\S]*line \d+, column \d+/ },
  { name: 'duplicate key', text: 'version: 1\nversion: 1\n', field: /line 2, column 1: Map keys must be unique/ },
  { name: 'a list, not a mapping', text: '- 1\n- 2\n', field: /\(root\): / },
  { name: 'version 2', mutate: (s) => { s.version = 2; }, field: /version: must be 1 \(line \d+\)/ },
  { name: 'unknown transport', mutate: (s) => { s.transport = 'ipsec'; }, field: /transport: / },
  { name: 'unknown top-level key', mutate: (s) => { s.extra = true; }, field: /\(root\): unknown key\(s\) "extra"/ },
  { name: 'bad endpoint', mutate: (s) => { s.endpoint = 'bad host!'; }, field: /endpoint: .*not a valid host name/ },
  { name: 'wireguard section missing', mutate: (s) => { delete s.wireguard; }, field: /wireguard: required when transport is "wireguard"/ },
  { name: 'amqps section with wireguard', mutate: (s) => { s.amqps = { serverName: 'x.example', caSha256: 'AB'.repeat(32) }; }, field: /amqps: must be absent when transport is "wireguard"/ },
  { name: 'bad hub private key', mutate: (s) => { s.wireguard.privateKey = 'not-a-key'; }, field: /wireguard\.privateKey: not a WireGuard key/ },
  { name: 'hub public key of another key', mutate: (s) => { s.wireguard.publicKey = s.satellites[0].wireguard.publicKey; }, field: /wireguard\.publicKey: does not belong to wireguard\.privateKey/ },
  { name: 'subnet not a network address', mutate: (s) => { s.wireguard.subnet = '10.77.0.9/24'; }, field: /wireguard\.subnet: .*not a network address/ },
  { name: 'listen port 0', mutate: (s) => { s.wireguard.listenPort = 0; }, field: /wireguard\.listenPort: / },
  { name: 'MTU 100', mutate: (s) => { s.wireguard.mtu = 100; }, field: /wireguard\.mtu: / },
  { name: 'retired address outside the subnet', mutate: (s) => { s.wireguard.retiredAddresses = ['10.99.0.2']; }, field: /wireguard\.retiredAddresses\.0: .*not a host address in tunnel subnet/ },
  { name: 'retired address still allocated', mutate: (s) => { s.wireguard.retiredAddresses = ['10.77.0.2']; }, field: /satellites\.0\.wireguard\.address: 10\.77\.0\.2 is also in wireguard\.retiredAddresses/ },
  { name: 'satellites not a list', mutate: (s) => { s.satellites = { one: 1 }; }, field: /satellites: / },
  { name: 'satellite id invalid', mutate: (s) => { s.satellites[0].id = 'a b'; }, field: /satellites\.0\.id: must be 1-64 characters/ },
  { name: 'duplicate satellite id', mutate: (s) => { s.satellites.push({ ...s.satellites[0], wireguard: { ...s.satellites[0].wireguard, address: '10.77.0.9' } }); }, field: /satellites\.1\.id: "1" is also the id of satellites\.0/ },
  { name: 'duplicate address', mutate: (s) => { s.satellites.push({ ...s.satellites[0], id: '2', broker: { ...s.satellites[0].broker, username: 'usm-sat-2' } }); }, field: /satellites\.1\.wireguard\.address: 10\.77\.0\.2 is also used by satellites\.0/ },
  { name: 'address outside the subnet', mutate: (s) => { s.satellites[0].wireguard.address = '10.99.0.2'; }, field: /satellites\.0\.wireguard\.address: .*not a host address in tunnel subnet/ },
  { name: 'address is the hub', mutate: (s) => { s.satellites[0].wireguard.address = '10.77.0.1'; }, field: /satellites\.0\.wireguard\.address: 10\.77\.0\.1 is the hub's own address/ },
  { name: 'address with a prefix', mutate: (s) => { s.satellites[0].wireguard.address = '10.77.0.2/32'; }, field: /satellites\.0\.wireguard\.address: must be a canonical IP address/ },
  { name: 'createdAt not a date', mutate: (s) => { s.satellites[0].createdAt = 'yesterday'; }, field: /satellites\.0\.createdAt: must be an ISO 8601 date-time/ },
  { name: 'wrong broker user name', mutate: (s) => { s.satellites[0].broker.username = 'admin'; }, field: /satellites\.0\.broker\.username: must be usm-sat-1/ },
  { name: 'short broker password', mutate: (s) => { s.satellites[0].broker.password = 'short'; }, field: /satellites\.0\.broker\.password: must be 16-128 characters/ },
  { name: 'satellite without its wireguard section', mutate: (s) => { delete s.satellites[0].wireguard; }, field: /satellites\.0\.wireguard: required when transport is "wireguard"/ },
  { name: 'rotation without the new peer', mutate: (s) => { s.satellites[0].rotation = { startedAt: '2025-01-01T00:00:00Z' }; }, field: /satellites\.0\.rotation\.wireguard: required when transport is "wireguard"/ },
  { name: 'bad preshared key', mutate: (s) => { s.satellites[0].wireguard.presharedKey = 'AAAA'; }, field: /satellites\.0\.wireguard\.presharedKey: not a WireGuard key/ },
  { name: 'unknown satellite key', mutate: (s) => { s.satellites[0].colour = 'blue'; }, field: /satellites\.0: unknown key\(s\) "colour"/ },
];

describe('malformed state files', () => {
  for (const c of stateCases) {
    test(c.name, async () => {
      const root = await freshRoot('initialised');
      let text = c.text;
      if (text === undefined) {
        const state = structuredClone(validState);
        c.mutate!(state);
        text = YAML.stringify(state);
      }
      await mkdir(join(root, 'etc/usm-appliance'), { recursive: true });
      await writeFile(join(root, STATE), text, { mode: 0o600 });
      await expectRefused(root, ['core', 'add-satellite', '--id', '99', '--no-broker'], c.field, 1);
      // Reading commands name the same field.
      const list = await runCore(['core', 'list', '--root', root]);
      assert.equal(list.code, 1);
      assert.match(list.stderr, c.field);
      // Secrets are never quoted back.
      const secrets = [(validState.wireguard as { privateKey: string }).privateKey];
      for (const secret of secrets) assert.ok(!list.stderr.includes(secret));
    });
  }
});

test('there are at least 30 malformed cases of each kind', () => {
  assert.ok(argumentCases.length >= 30, `${argumentCases.length} argument cases`);
  assert.ok(stateCases.length >= 30, `${stateCases.length} state cases`);
});
