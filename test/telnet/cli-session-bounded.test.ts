import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CliSession, HAYSTACK_LIMIT } from '../../poller/lib/executors/cli-session/cli-session.js';
import { OutputBudget } from '../../poller/lib/executors/cli-session/output-budget.js';
import { ShellCommandRun } from '../../poller/lib/executors/cli-session/shell-commands.js';
import { extractCommandOutput } from '../../poller/lib/executors/cli-session/command-output.js';

/** A pattern that records the length of every text it is tried on (the work a device can make the poller do). */
class RecordingRegExp extends RegExp {
  readonly lengths: number[] = [];
  override test(text: string): boolean {
    this.lengths.push(text.length);
    return super.test(text);
  }
}

function createSession(onWrite: (text: string, session: CliSession) => void = () => {}) {
  let session: CliSession | undefined;
  const written: string[] = [];
  const transport = {
    write(text: string) {
      written.push(text);
      onWrite(text, session!);
    },
  };
  session = new CliSession(transport, { pager: { regex: /--More--/, answer: ' ' }, budget: new OutputBudget(4 * 1024 * 1024), signal: new AbortController().signal });
  return { session, written };
}

describe('CLI session work per packet is bounded (no re-rendering of the whole line or capture)', () => {
  it('tries patterns once per event-loop turn, on at most HAYSTACK_LIMIT characters', async () => {
    const { session } = createSession();
    const prompt = new RecordingRegExp('sw#$');
    const rejected = new RecordingRegExp('never-printed-by-this-device');
    session.send('show tech\n', { charge: true });
    const waiting = session.waitFor([{ name: 'rejected', regex: rejected, scope: 'text' }, { name: 'prompt', regex: prompt, scope: 'line' }], 10_000);
    // One megabyte on one line in 2,000 packets that all arrive in the same turn (as ssh2 delivers the messages of one TCP read).
    for (let i = 0; i < 2000; i += 1) session.feed(Buffer.from(`${'y'.repeat(499)}\x1b[C`));
    await nextTurn();
    session.feed(Buffer.from('\r\nsw#'));
    assert.deepEqual(await waiting, { kind: 'match', name: 'prompt' });
    for (const pattern of [prompt, rejected]) {
      assert.ok(pattern.lengths.length <= 4, `tried ${pattern.lengths.length} times`);
      assert.ok(Math.max(...pattern.lengths) <= HAYSTACK_LIMIT, `tried on ${Math.max(...pattern.lengths)} characters`);
    }
    assert.equal(session.captured.length, 2000 * 502 + 5);
  });

  it('still sees a prompt that arrives just before the peer hangs up in the same turn', async () => {
    const { session } = createSession();
    session.send('exit\n', { charge: true });
    const waiting = session.waitFor([{ name: 'prompt', regex: /sw#$/, scope: 'line' }], 10_000);
    session.feed(Buffer.from('exit\r\nsw#'));
    session.end();
    assert.deepEqual(await waiting, { kind: 'match', name: 'prompt' });
  });

  it('answers a pager after a line longer than the kept tail and keeps everything before it', async () => {
    const long = 'x'.repeat(60_000);
    const { session, written } = createSession((text, self) => {
      const reply = text === 'show log\n' ? `show log\r\n${long}\r\n${'z'.repeat(30_000)}\r\n --More-- ` : text === ' ' ? '\r          \rend\r\nsw#' : '';
      if (reply) queueMicrotask(() => self.feed(Buffer.from(reply)));
    });
    const run = new ShellCommandRun(session, { commands: ['show log'], prompt: /sw#$/, newline: '\n', commandTimeoutMs: 5000 });
    assert.deepEqual(await run.run(), { kind: 'done' });
    assert.deepEqual(written, ['show log\n', ' ']);
    assert.equal(run.outputs[0]!.output, `${long}\n${'z'.repeat(30_000)}\nend`);
  });

  it('cuts echo, prompt and any number of blank lines around a command output', () => {
    const blank = '\r\n'.repeat(100_000);
    assert.equal(extractCommandOutput(`show x\r\n${blank}line 1\r\n\r\nline 3\r\n${blank}sw#`, 'show x', { promptSeen: true }), 'line 1\n\nline 3');
    assert.equal(extractCommandOutput('show x\r\nsw#', 'show x', { promptSeen: true }), '');
    assert.equal(extractCommandOutput('show x', 'show x', { promptSeen: true }), '');
    assert.equal(extractCommandOutput(`${blank}partial`, 'show x', { promptSeen: false }), 'partial');
  });
});
