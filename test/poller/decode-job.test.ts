import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJob } from '../../poller/lib/protocol/decode-job.js';
import { createExecutorRegistry } from '../../poller/lib/executors/registry.js';
import { createSilentLogger } from '../../common/logger.js';

const registry = createExecutorRegistry({ log: createSilentLogger() });
const options = { maxBytes: 4096, lookup: registry.get };
const encode = (value: unknown) => Buffer.from(JSON.stringify(value));
const tcp = { v: 1, id: 'j1', type: 'tcp.check', target: { host: '127.0.0.1', port: 22 } };

describe('decodeJob (pure)', () => {
  it('accepts a minimal job and applies the default timeout', () => {
    const decoded = decodeJob(encode(tcp), {}, options);
    assert.ok(decoded.ok);
    assert.equal(decoded.job.timeoutMs, 10_000);
    assert.equal(decoded.job.expiresAt, undefined);
  });

  it('takes the id from message_id, then correlation_id', () => {
    const { id: _omit, ...noId } = tcp;
    const a = decodeJob(encode(noId), { messageId: 'm1', correlationId: 'c1' }, options);
    const b = decodeJob(encode(noId), { correlationId: 'c1' }, options);
    assert.ok(a.ok && b.ok);
    assert.equal(a.job.id, 'm1');
    assert.equal(b.job.id, 'c1');
    const c = decodeJob(encode(noId), {}, options);
    assert.ok(!c.ok);
    assert.match(c.invalid.problems[0]!, /^id: required/);
  });

  const invalid: Array<[string, unknown, RegExp]> = [
    ['timeout over the maximum', { ...tcp, timeoutMs: 600_001 }, /^timeoutMs:/],
    ['id too long', { ...tcp, id: 'x'.repeat(129) }, /^id:/],
    ['bad expiresAt', { ...tcp, expiresAt: 'tomorrow' }, /^expiresAt:/],
    ['unknown top-level key', { ...tcp, priority: 1 }, /unknown key\(s\) "priority"/],
    ['host with spaces', { ...tcp, target: { host: 'a b' } }, /^target\.host:/],
    ['port out of range', { ...tcp, target: { host: 'h', port: 70000 } }, /^target\.port:/],
    ['missing target', { v: 1, id: 'x', type: 'tcp.check', params: { port: 1 } }, /^target: required/],
    ['missing port', { ...tcp, target: { host: 'h' } }, /params\.port: required/],
    ['unknown param', { ...tcp, params: { colour: 'red' } }, /^params: unknown key\(s\) "colour"/],
  ];
  for (const [name, body, expected] of invalid) {
    it(`rejects ${name}, naming the field`, () => {
      const decoded = decodeJob(encode(body), {}, options);
      assert.ok(!decoded.ok);
      assert.match(decoded.invalid.problems.join('\n'), expected);
    });
  }

  it('reports an unsafe type as "invalid" so it cannot shape routing keys', () => {
    const decoded = decodeJob(encode({ ...tcp, type: 'a.#.*' }), {}, options);
    assert.ok(!decoded.ok);
    assert.equal(decoded.invalid.type, 'invalid');
  });

  it('collects secrets from params even when the job is invalid', () => {
    const decoded = decodeJob(encode({ ...tcp, params: { port: 1, community: 'sekret1' } }), {}, options);
    assert.ok(!decoded.ok);
    assert.deepEqual(decoded.invalid.secrets, ['sekret1']);
  });

  it('rejects hostile nesting without overflowing the stack', () => {
    const deep = `{"v":1,"id":"d","type":"tcp.check","params":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
    const decoded = decodeJob(Buffer.from(deep), {}, { ...options, maxBytes: 1_000_000 });
    assert.ok(!decoded.ok);
    assert.match(decoded.invalid.problems[0]!, /nested deeper than 32 levels/);
  });

  it('rejects bodies over the size limit before parsing', () => {
    const decoded = decodeJob(Buffer.alloc(5000, 0x7b), {}, options);
    assert.ok(!decoded.ok);
    assert.match(decoded.invalid.problems[0]!, /5000 bytes is over the 4096-byte limit/);
  });
});
