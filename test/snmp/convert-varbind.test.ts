import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { convertVarbinds, decodeUnsigned, describeOctets, encodeUnsigned, TAG, type DecodedVarbind } from '../../poller/lib/executors/snmp/convert-varbind.js';

const GOLDEN = new URL('../golden/snmp/varbinds.json', import.meta.url);

/** Varbinds as net-snmp decodes them off the wire: numeric tags, Buffers for byte values. */
function sampleVarbinds(): DecodedVarbind[] {
  const oid = (n: number) => `1.3.6.1.4.1.99999.9.${n}.0`;
  return [
    { oid: oid(1), type: TAG.Integer, value: -2147483648 },
    { oid: oid(2), type: TAG.Integer, value: 2147483647 },
    { oid: oid(3), type: TAG.Counter32, value: 4294967295 },
    { oid: oid(4), type: TAG.Gauge32, value: 0 },
    { oid: oid(5), type: TAG.TimeTicks, value: 123456 },
    { oid: oid(6), type: TAG.Counter64, value: Buffer.from('00ffffffffffffffff', 'hex') },
    { oid: oid(7), type: TAG.Counter64, value: Buffer.from('01', 'hex') },
    { oid: oid(8), type: TAG.OctetString, value: Buffer.from('sw-core-1') },
    { oid: oid(9), type: TAG.OctetString, value: Buffer.from('Коммутатор доступа', 'utf8') },
    { oid: oid(10), type: TAG.OctetString, value: Buffer.from('001b21aabbcc', 'hex') },
    { oid: oid(11), type: TAG.OctetString, value: Buffer.from('line1\r\n\tline2') },
    { oid: oid(12), type: TAG.OctetString, value: Buffer.from('name\u0000') },
    { oid: oid(13), type: TAG.OctetString, value: Buffer.from('c3', 'hex') },
    { oid: oid(14), type: TAG.OctetString, value: Buffer.alloc(0) },
    { oid: oid(15), type: TAG.OctetString, value: Buffer.from('7f', 'hex') },
    { oid: oid(16), type: TAG.ObjectIdentifier, value: '1.3.6.1.4.1.9.1.1208' },
    { oid: oid(17), type: TAG.IpAddress, value: '192.0.2.254' },
    { oid: oid(18), type: TAG.Opaque, value: Buffer.from('9f780441200000', 'hex') },
    { oid: oid(19), type: TAG.Null, value: null },
    { oid: oid(20), type: TAG.noSuchObject, value: null },
    { oid: oid(21), type: TAG.noSuchInstance, value: null },
    { oid: oid(22), type: TAG.endOfMibView, value: null },
  ];
}

describe('convertVarbinds (golden)', () => {
  test('matches test/golden/snmp/varbinds.json', () => {
    const actual = `${JSON.stringify(convertVarbinds(sampleVarbinds()), null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, actual);
    assert.equal(actual, readFileSync(GOLDEN, 'utf8'));
  });
});

describe('octet and counter helpers', () => {
  test('printable UTF-8 gets a value, anything else only hex', () => {
    assert.deepEqual(describeOctets(Buffer.from('abc')), { value: 'abc', hex: '616263' });
    assert.deepEqual(describeOctets(Buffer.from([0xe2, 0x82])), { value: null, hex: 'e282' });
    assert.deepEqual(describeOctets(Buffer.from([0x1b, 0x5b])), { value: null, hex: '1b5b' });
    assert.deepEqual(describeOctets(Buffer.from('\u0085', 'utf8')), { value: null, hex: 'c285' });
  });

  test('Counter64 round-trips through decimal strings', () => {
    for (const decimal of ['0', '1', '127', '128', '255', '65536', '4294967296', '9007199254740993', '18446744073709551615']) {
      assert.equal(decodeUnsigned(encodeUnsigned(decimal)), decimal);
    }
    assert.equal(encodeUnsigned('128').toString('hex'), '0080');
    assert.equal(encodeUnsigned('0').toString('hex'), '00');
  });
});
