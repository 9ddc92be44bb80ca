import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TelnetDecoder, encodeTelnetText } from '../../poller/lib/executors/telnet/telnet-protocol.js';
import { assertGolden } from './golden.js';

const IAC = 0xff;

/** Byte streams as real servers send them; `[...]` arrays are split into separate TCP chunks. */
const CASES: Array<{ name: string; chunks: number[][] }> = [
  {
    name: 'telnetd opening: WILL AUTHENTICATION/ENCRYPT, DO TTYPE/TSPEED/XDISPLOC/NEW-ENVIRON/OLD-ENVIRON',
    chunks: [[IAC, 251, 37, IAC, 251, 38, IAC, 253, 24, IAC, 253, 32, IAC, 253, 35, IAC, 253, 39, IAC, 253, 36]],
  },
  {
    name: 'Cisco IOS: WILL ECHO, WILL SGA, DO NAWS, DONT LINEMODE, then a banner',
    chunks: [[IAC, 251, 1, IAC, 251, 3, IAC, 253, 31, IAC, 254, 34], [...Buffer.from('\r\nUser Access Verification\r\n\r\nUsername: ')]],
  },
  {
    name: 'repeated offers are answered once (no negotiation loop)',
    chunks: [[IAC, 251, 1, IAC, 251, 1, IAC, 253, 24, IAC, 253, 24, IAC, 251, 24, IAC, 251, 24]],
  },
  {
    name: 'WONT ECHO after DO ECHO is acknowledged; WONT for something never enabled is not',
    chunks: [[IAC, 251, 1, IAC, 252, 1, IAC, 252, 3]],
  },
  {
    name: 'command and subnegotiation split across chunks, IAC IAC inside SB, escaped 0xFF in data',
    chunks: [[...Buffer.from('ab'), IAC], [250, 24, 1, IAC, IAC, 9], [IAC], [240, ...Buffer.from('cd'), IAC, IAC, ...Buffer.from('e'), IAC], [253], [31, ...Buffer.from('f')]],
  },
  {
    name: 'CR NUL is a bare CR, CR LF stays, NOP/GA/AYT are dropped',
    chunks: [[...Buffer.from('x'), 13, 0, ...Buffer.from('y'), 13, 10, IAC, 241, IAC, 249, ...Buffer.from('z'), 13], [0, IAC, 246]],
  },
  {
    name: 'UTF-8 text passes untouched',
    chunks: [[...Buffer.from('Пароль: ')]],
  },
];

describe('telnet IAC decoder', () => {
  it('matches the golden transcript of negotiation answers and data', async () => {
    const transcript = CASES.map(({ name, chunks }) => {
      const decoder = new TelnetDecoder();
      const outs = chunks.map((chunk) => decoder.feed(Buffer.from(chunk)));
      return {
        name,
        data: Buffer.concat(outs.map((out) => out.data)).toString('utf8'),
        dataHex: Buffer.concat(outs.map((out) => out.data)).toString('hex'),
        reply: Buffer.concat(outs.map((out) => out.reply)).toString('hex').replace(/(..)/g, '$1 ').trim(),
        events: outs.flatMap((out) => out.events),
      };
    });
    await assertGolden('telnet-iac.json', transcript);
  });

  it('decodes the same bytes identically whatever the chunking', () => {
    const all = CASES.flatMap((c) => c.chunks.flat());
    const whole = new TelnetDecoder().feed(Buffer.from(all));
    for (let size = 1; size <= 7; size += 1) {
      const decoder = new TelnetDecoder();
      const data: Buffer[] = [];
      const reply: Buffer[] = [];
      for (let i = 0; i < all.length; i += size) {
        const out = decoder.feed(Buffer.from(all.slice(i, i + size)));
        data.push(out.data);
        reply.push(out.reply);
      }
      assert.deepEqual(Buffer.concat(data), whole.data, `chunk size ${size}`);
      assert.deepEqual(Buffer.concat(reply), whole.reply, `chunk size ${size}`);
    }
  });

  it('encodes typed text as UTF-8 with a bare CR sent as CR NUL and CR LF kept (UTF-8 never contains 0xFF)', () => {
    assert.deepEqual([...encodeTelnetText('a\r\n')], [0x61, 13, 10]);
    assert.deepEqual([...encodeTelnetText('a\rb\r')], [0x61, 13, 0, 0x62, 13, 0]);
    assert.deepEqual([...encodeTelnetText('ÿ')], [0xc3, 0xbf]);
  });
});
