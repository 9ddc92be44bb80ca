import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CliSession } from '../../poller/lib/executors/cli-session/cli-session.js';
import { OutputBudget } from '../../poller/lib/executors/cli-session/output-budget.js';
import { ShellCommandRun } from '../../poller/lib/executors/cli-session/shell-commands.js';

/**
 * An in-memory device on the other end of a CliSession: it reacts to what
 * the session writes, like a CLI would, so the engine is exercised without
 * sockets (the socket paths are covered against real sshd and telnetd).
 */
function createDevice(handlers: { onWrite(text: string, reply: (text: string) => void): void }) {
  const written: string[] = [];
  let session: CliSession | undefined;
  const reply = (text: string) => queueMicrotask(() => session!.feed(Buffer.from(text)));
  return {
    written,
    attach(value: CliSession) {
      session = value;
    },
    transport: {
      write(text: string) {
        written.push(text);
        handlers.onWrite(text, reply);
      },
    },
  };
}

describe('CLI session engine', () => {
  it('answers a pager split across packets exactly once per page and drops it from the output', async () => {
    const pages = ['show log\r\nl1\r\nl2\r\n --Mo', 're-- ', 'l3\r\nl4\r\n --More-- ', 'l5\r\nsw#'];
    let next = 0;
    const device = createDevice({
      onWrite(_text, reply) {
        // The first page arrives in two packets, split inside the pager prompt.
        if (next === 0) {
          reply(pages[next++]!);
          reply(pages[next++]!);
        } else {
          reply(pages[next++]!);
        }
      },
    });
    const controller = new AbortController();
    const session = new CliSession(device.transport, { pager: { regex: /--More--/, answer: ' ' }, budget: new OutputBudget(10_000), signal: controller.signal });
    device.attach(session);
    const run = new ShellCommandRun(session, { commands: ['show log'], prompt: /sw#$/, newline: '\n', commandTimeoutMs: 2000 });
    assert.deepEqual(await run.run(), { kind: 'done' });
    assert.deepEqual(run.outputs, [{ command: 'show log', output: 'l1\nl2\nl3\nl4\nl5' }]);
    assert.deepEqual(device.written, ['show log\n', ' ', ' ']);
  });

  it('does not take a prompt-looking line inside the output for the prompt when it is not the current line', async () => {
    const device = createDevice({
      onWrite(_text, reply) {
        reply('show run | i host\r\nhostname sw#\r\n');
        setTimeout(() => reply('sw#'), 20);
      },
    });
    const session = new CliSession(device.transport, { budget: new OutputBudget(10_000), signal: new AbortController().signal });
    device.attach(session);
    const run = new ShellCommandRun(session, { commands: ['show run | i host'], prompt: /^sw#$/, newline: '\r', commandTimeoutMs: 2000 });
    assert.deepEqual(await run.run(), { kind: 'done' });
    assert.equal(run.outputs[0]?.output, 'hostname sw#');
  });

  it('gives the in-flight output in snapshot() when the job is aborted', async () => {
    const controller = new AbortController();
    const device = createDevice({
      onWrite(text, reply) {
        if (text === 'a\n') reply('a\r\nA\r\nsw#');
        else reply('b\r\npartial B');
      },
    });
    const session = new CliSession(device.transport, { budget: new OutputBudget(10_000), signal: controller.signal });
    device.attach(session);
    const run = new ShellCommandRun(session, { commands: ['a', 'b'], prompt: /sw#$/, newline: '\n', commandTimeoutMs: 60_000 });
    const running = run.run();
    await new Promise((done) => setTimeout(done, 50));
    assert.deepEqual(run.snapshot(), [{ command: 'a', output: 'A' }, { command: 'b', output: 'partial B' }]);
    controller.abort();
    const stop = await running;
    assert.equal(stop.kind, 'error');
    assert.deepEqual(run.outputs[1], { command: 'b', output: 'partial B' });
  });
});
