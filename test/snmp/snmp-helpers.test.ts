import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifySnmpError, errorStatusCode } from '../../poller/lib/executors/snmp/classify-snmp-error.js';
import { decryptDesCbc, encryptDesCbc } from '../../poller/lib/executors/snmp/des-cbc.js';
import { compareOids, isInSubtree } from '../../poller/lib/executors/snmp/oid-order.js';
import { flattenBulk } from '../../poller/lib/executors/snmp/snmp-executors.js';
import { TargetLimiter } from '../../poller/lib/executors/snmp/target-limiter.js';

describe('OID order', () => {
  test('compares numerically per sub-identifier, prefixes first', () => {
    assert.ok(compareOids('1.3.6.1.2', '1.3.6.1.10') < 0);
    assert.ok(compareOids('1.3.6.1.10', '1.3.6.1.9.9') > 0);
    assert.ok(compareOids('1.3.6', '1.3.6.0') < 0);
    assert.equal(compareOids('1.3.6.1.4294967295', '1.3.6.1.4294967295'), 0);
    const sorted = ['1.3.6.1.2.1.2.2.1.10.2', '1.3.6.1.2.1.2.2.1.2.10', '1.3.6.1.2.1.2.2.1.2.9', '1.3.6.1.2.1.2.2.1.2'].sort(compareOids);
    assert.deepEqual(sorted, ['1.3.6.1.2.1.2.2.1.2', '1.3.6.1.2.1.2.2.1.2.9', '1.3.6.1.2.1.2.2.1.2.10', '1.3.6.1.2.1.2.2.1.10.2']);
  });

  test('subtree membership needs a dot boundary and excludes the root', () => {
    assert.equal(isInSubtree('1.3.6.1.2.1.2', '1.3.6.1.2.1.2.1.0'), true);
    assert.equal(isInSubtree('1.3.6.1.2.1.2', '1.3.6.1.2.1.25.1.0'), false);
    assert.equal(isInSubtree('1.3.6.1.2.1.2', '1.3.6.1.2.1.2'), false);
  });
});

describe('error classification', () => {
  const named = (name: string, extra: Record<string, unknown>) => Object.assign(new Error('x'), { name }, extra);

  test('error-status names become E_SNMP_<NAME>', () => {
    assert.equal(errorStatusCode(2), 'E_SNMP_NO_SUCH_NAME');
    assert.equal(errorStatusCode(17), 'E_SNMP_NOT_WRITABLE');
    assert.equal(errorStatusCode(5), 'E_SNMP_GEN_ERR');
    assert.equal(errorStatusCode(13), 'E_SNMP_RESOURCE_UNAVAILABLE');
    assert.equal(classifySnmpError(named('RequestFailedError', { status: 6 }), 'h').code, 'E_SNMP_NO_ACCESS');
  });

  test('timeouts, USM failures and resolver errors', () => {
    assert.equal(classifySnmpError(named('RequestTimedOutError', {}), 'h').code, 'E_TIMEOUT');
    assert.equal(classifySnmpError(named('ResponseInvalidError', { code: 5 }), 'h').code, 'E_AUTH');
    assert.equal(classifySnmpError(named('ResponseInvalidError', { code: 4 }), 'h').code, 'E_AUTH');
    assert.equal(classifySnmpError(named('ResponseInvalidError', { code: 10 }), 'h').code, 'E_SNMP_BAD_RESPONSE');
    assert.equal(classifySnmpError(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), 'h').code, 'E_UNREACHABLE');
    assert.equal(classifySnmpError(new Error('boom'), 'h').code, 'E_INTERNAL');
  });
});

describe('flattenBulk', () => {
  test('restores PDU order: non-repeaters, then row by row across columns', () => {
    const vb = (oid: string) => ({ oid });
    const raw = [vb('nr1'), [vb('a1'), vb('a2'), vb('a3')], [vb('b1'), vb('b2')]];
    assert.deepEqual(flattenBulk(raw, 1).map((v) => v.oid), ['nr1', 'a1', 'b1', 'a2', 'b2', 'a3']);
  });
});

describe('DES-CBC fallback', () => {
  test('matches FIPS and OpenSSL vectors and round-trips', () => {
    // Classic worked example (key 133457799BBCDFF1).
    const ecb = encryptDesCbc(Buffer.from('133457799bbcdff1', 'hex'), Buffer.alloc(8), Buffer.from('0123456789abcdef', 'hex'));
    assert.equal(ecb.toString('hex'), '85e813540f0ab405');
    // Produced by OpenSSL des-cbc (node --openssl-legacy-provider).
    const key = Buffer.from('0123456789abcdef', 'hex');
    const iv = Buffer.from('1122334455667788', 'hex');
    const plain = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const cipher = encryptDesCbc(key, iv, plain);
    assert.equal(cipher.toString('hex'), '56d2714e5ae1ee197fe7377f998d0b2e');
    assert.deepEqual(decryptDesCbc(key, iv, cipher), plain);
    assert.throws(() => encryptDesCbc(key, iv, Buffer.alloc(7)), /multiple of 8/);
  });
});

describe('TargetLimiter', () => {
  test('caps in-flight per target, queues FIFO, drops aborted waiters', async () => {
    const limiter = new TargetLimiter(2);
    const signal = new AbortController().signal;
    const a = await limiter.acquire('t', signal);
    const b = await limiter.acquire('t', signal);
    assert.equal(limiter.inFlight('t'), 2);
    const order: string[] = [];
    const aborted = new AbortController();
    const c = limiter.acquire('t', signal).then((release) => (order.push('c'), release));
    const d = limiter.acquire('t', aborted.signal);
    const e = limiter.acquire('t', signal).then((release) => (order.push('e'), release));
    aborted.abort();
    assert.equal(await d, null);
    a!();
    (await c)!();
    b!();
    (await e)!();
    assert.deepEqual(order, ['c', 'e']);
    assert.equal(limiter.inFlight('t'), 0);
    const other = await limiter.acquire('other', signal);
    assert.equal(limiter.inFlight('other'), 1);
    other!();
  });
});
