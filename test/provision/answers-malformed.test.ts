import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { X509Certificate } from 'node:crypto';
import YAML from 'yaml';
import { isUsmError } from '../../common/usm-error.js';
import { parseAnswersYaml } from '../../provision/lib/answers/parse-answers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const wireguardText = await readFile(join(ROOT, 'examples', 'satellite-wireguard.yaml'), 'utf8');
const amqpsText = await readFile(join(ROOT, 'examples', 'satellite-amqps.yaml'), 'utf8');
const wireguard = YAML.parse(wireguardText) as Record<string, any>;
const amqps = YAML.parse(amqpsText) as Record<string, any>;

/** Replaces one exact piece of the example text; fails loudly if the piece is not there. */
function edit(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `fixture text lacks ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

/** The example as an object, changed by `change`, back to YAML text. */
function mutate(base: Record<string, any>, change: (copy: Record<string, any>) => void): string {
  const copy = structuredClone(base);
  change(copy);
  return YAML.stringify(copy);
}

const privateKey = wireguard.wireguard.privateKey as string;
const otherCa = await readFile(join(ROOT, 'test', 'golden', 'provision', 'answers', 'other-ca.pem'), 'utf8');
const otherCaSha256 = new X509Certificate(otherCa).fingerprint256;

// Each case: a YAML text and the start of the problem line that must name the field.
const cases: Array<[name: string, text: string, expected: string]> = [
  ['YAML syntax error (unclosed flow sequence)', edit(wireguardText, 'mtu: 1420', 'mtu: [1420'), 'line '],
  ['YAML duplicate key', edit(wireguardText, '  mtu: 1420\n', '  mtu: 1420\n  mtu: 1400\n'), 'line '],
  ['YAML bad indentation', edit(wireguardText, '  interface: usm0', ' interface: usm0'), 'line '],
  ['empty file', '', '(root)'],
  ['not a mapping', '- just\n- a list\n', '(root)'],
  ['missing version', mutate(wireguard, (a) => delete a.version), 'version:'],
  ['wrong version', edit(wireguardText, 'version: 1', 'version: 2'), 'version:'],
  ['unknown top-level key', `${wireguardText}extra: true\n`, '(root): unknown key(s) "extra"'],
  ['missing satellite', mutate(wireguard, (a) => delete a.satellite), 'satellite:'],
  ['unquoted numeric satellite id', edit(wireguardText, 'id: "7"', 'id: 7'), 'satellite.id:'],
  ['bad satellite id characters', edit(wireguardText, 'id: "7"', 'id: "sat 7"'), 'satellite.id:'],
  ['satellite id too long', edit(wireguardText, 'id: "7"', `id: "${'x'.repeat(65)}"`), 'satellite.id:'],
  ['unknown key in satellite', edit(wireguardText, '  id: "7"\n', '  id: "7"\n  colour: blue\n'), 'satellite: unknown key(s) "colour"'],
  ['bad issuedAt', mutate(wireguard, (a) => (a.satellite.issuedAt = 'yesterday')), 'satellite.issuedAt:'],
  ['missing transport', mutate(wireguard, (a) => delete a.transport), 'transport:'],
  ['unknown transport', edit(wireguardText, 'transport: wireguard', 'transport: ipsec'), 'transport:'],
  ['wireguard transport without wireguard block', mutate(wireguard, (a) => delete a.wireguard), 'wireguard: required when transport is "wireguard"'],
  ['wireguard transport with an amqps block', mutate(wireguard, (a) => (a.amqps = amqps.amqps)), 'amqps: must be absent when transport is "wireguard"'],
  ['amqps transport without amqps block', mutate(amqps, (a) => delete a.amqps), 'amqps: required when transport is "amqps"'],
  ['amqps transport with a wireguard block', mutate(amqps, (a) => (a.wireguard = wireguard.wireguard)), 'wireguard: must be absent when transport is "amqps"'],
  ['bad interface name', edit(wireguardText, 'interface: usm0', 'interface: usm0-too-long-name'), 'wireguard.interface:'],
  ['address not an IP', edit(wireguardText, 'address: 10.77.0.2/32', 'address: 10.77.0.300/32'), 'wireguard.address:'],
  ['address not a single host', edit(wireguardText, 'address: 10.77.0.2/32', 'address: 10.77.0.2/24'), 'wireguard.address:'],
  ['private key too short', edit(wireguardText, privateKey, privateKey.slice(0, 40)), 'wireguard.privateKey:'],
  ['private key not base64', edit(wireguardText, privateKey, `!${privateKey.slice(1)}`), 'wireguard.privateKey:'],
  ['MTU too small', edit(wireguardText, 'mtu: 1420', 'mtu: 500'), 'wireguard.mtu:'],
  ['MTU as text', edit(wireguardText, 'mtu: 1420', 'mtu: "1420"'), 'wireguard.mtu:'],
  ['negative keepalive', edit(wireguardText, 'persistentKeepalive: 25', 'persistentKeepalive: -5'), 'wireguard.persistentKeepalive:'],
  ['core public key invalid', mutate(wireguard, (a) => (a.wireguard.core.publicKey = 'AAAA')), 'wireguard.core.publicKey:'],
  ['core preshared key missing', mutate(wireguard, (a) => delete a.wireguard.core.presharedKey), 'wireguard.core.presharedKey:'],
  ['endpoint port out of range', edit(wireguardText, 'core.example.net:51820', 'core.example.net:70000'), 'wireguard.core.endpoint:'],
  ['endpoint bad host', edit(wireguardText, 'core.example.net:51820', 'core_example!:51820'), 'wireguard.core.endpoint:'],
  ['core address with a prefix', edit(wireguardText, '    address: 10.77.0.1\n', '    address: 10.77.0.1/24\n'), 'wireguard.core.address:'],
  ['core address of the other family', edit(wireguardText, '    address: 10.77.0.1\n', '    address: fd77::1\n'), 'wireguard.core.address:'],
  ['core address equal to own address', edit(wireguardText, '    address: 10.77.0.1\n', '    address: 10.77.0.2\n'), 'wireguard.core.address:'],
  ['unknown key in wireguard.core', mutate(wireguard, (a) => (a.wireguard.core.listenPort = 51820)), 'wireguard.core: unknown key(s) "listenPort"'],
  ['broker host outside the tunnel', edit(wireguardText, 'host: 10.77.0.1\n  port: 5672', 'host: rabbit.example.net\n  port: 5672'), 'broker.host:'],
  ['broker port zero', edit(wireguardText, 'port: 5672', 'port: 0'), 'broker.port:'],
  ['broker username missing', mutate(wireguard, (a) => delete a.broker.username), 'broker.username:'],
  ['broker username with a colon', mutate(wireguard, (a) => (a.broker.username = 'usm:sat')), 'broker.username:'],
  ['broker password too short', mutate(wireguard, (a) => (a.broker.password = 'short')), 'broker.password:'],
  ['poller concurrency zero', edit(wireguardText, 'concurrency: 64', 'concurrency: 0'), 'poller.concurrency:'],
  ['poller replicas fractional', edit(wireguardText, 'replicas: 1', 'replicas: 1.5'), 'poller.replicas:'],
  ['imageTag as a YAML number', edit(wireguardText, 'imageTag: "3.18"', 'imageTag: 3.18'), 'poller.imageTag:'],
  ['unknown log level', edit(wireguardText, 'logLevel: info', 'logLevel: verbose'), 'poller.logLevel:'],
  ['metrics enabled as yes', edit(wireguardText, 'enabled: false', 'enabled: yes'), 'poller.metrics.enabled:'],
  ['metrics host not an IP', edit(wireguardText, 'host: 127.0.0.1', 'host: localhost'), 'poller.metrics.host:'],
  ['unknown service manager', edit(wireguardText, 'manager: systemd', 'manager: openrc'), 'service.manager:'],
  ['relative path', edit(wireguardText, 'composeDir: /opt/usm_poller', 'composeDir: opt/usm_poller'), 'paths.composeDir:'],
  ['unknown key in paths', edit(wireguardText, '  wireguardDir: /etc/wireguard', '  wireguardDir: /etc/wireguard\n  logDir: /var/log'), 'paths: unknown key(s) "logDir"'],
  ['amqps CA pin mismatch', mutate(amqps, (a) => (a.amqps.caSha256 = 'AB'.repeat(32))), 'amqps.caSha256: does not match caPem'],
  ['amqps CA pin malformed', mutate(amqps, (a) => (a.amqps.caSha256 = 'not-a-hash')), 'amqps.caSha256:'],
  ['amqps caPem not a certificate', mutate(amqps, (a) => (a.amqps.caPem = 'hello')), 'amqps.caPem:'],
  ['amqps certPem swapped for the CA', mutate(amqps, (a) => (a.amqps.certPem = a.amqps.caPem)), 'amqps.keyPem: does not belong to certPem'],
  [
    'amqps client cert not signed by the pinned CA',
    mutate(amqps, (a) => {
      a.amqps.caPem = otherCa;
      a.amqps.caSha256 = otherCaSha256;
    }),
    'amqps.certPem: is not signed by caPem',
  ],
  ['broker host given as an IPv6 literal outside the tunnel', mutate(wireguard, (a) => (a.broker.host = 'fd00::99')), 'broker.host:'],
  ['amqps keyPem is a certificate', mutate(amqps, (a) => (a.amqps.keyPem = a.amqps.certPem)), 'amqps.keyPem:'],
  ['amqps serverName not a host name', mutate(amqps, (a) => (a.amqps.serverName = 'rabbit core')), 'amqps.serverName:'],
];

test(`${cases.length} malformed answers files are rejected with the field named`, () => {
  assert.ok(cases.length >= 30);
  for (const [name, text, expected] of cases) {
    assert.throws(
      () => parseAnswersYaml(text, 'bad.yaml'),
      (error) => {
        assert.ok(isUsmError(error), name);
        assert.equal(error.code, 'E_ANSWERS', name);
        assert.ok(error.message.startsWith('bad.yaml: '), `${name}: ${error.message}`);
        assert.ok(
          error.problems.some((line) => line.startsWith(expected)),
          `${name}: expected a problem starting with ${JSON.stringify(expected)}, got ${JSON.stringify(error.problems)}`,
        );
        // Key material and passwords are never quoted back.
        const all = [error.message, ...error.problems].join('\n');
        assert.ok(!all.includes(privateKey) && !all.includes('EXAMPLE-not-a-real-password'), `${name}: a secret leaked: ${all}`);
        return true;
      },
      name,
    );
  }
});

test('YAML syntax errors give line and column; schema errors give the line of the field', () => {
  const syntax = (() => {
    try {
      parseAnswersYaml(edit(wireguardText, 'mtu: 1420', 'mtu: [1420'), 'bad.yaml');
    } catch (error) {
      return error;
    }
    return undefined;
  })();
  assert.ok(isUsmError(syntax));
  assert.equal(syntax.message, 'bad.yaml: not valid YAML');
  assert.match(syntax.problems[0] ?? '', /^line \d+, column \d+: /);
  try {
    parseAnswersYaml(edit(wireguardText, 'mtu: 1420', 'mtu: 100'), 'bad.yaml');
    assert.fail('should throw');
  } catch (error) {
    assert.ok(isUsmError(error));
    const line = wireguardText.split('\n').findIndex((text) => text.includes('mtu: 1420')) + 1;
    assert.deepEqual(error.problems, [`wireguard.mtu: Too small: expected number to be >=1280 (line ${line})`]);
  }
});

test('several problems are all reported at once', () => {
  const text = mutate(wireguard, (a) => {
    a.wireguard.mtu = 1;
    a.broker.password = 'x';
    a.poller.logLevel = 'loud';
  });
  try {
    parseAnswersYaml(text);
    assert.fail('should throw');
  } catch (error) {
    assert.ok(isUsmError(error));
    const paths = error.problems.map((line) => line.split(':')[0]);
    assert.deepEqual(paths.sort(), ['broker.password', 'poller.logLevel', 'wireguard.mtu']);
  }
});
