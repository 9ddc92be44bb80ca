import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderLastLine, renderTerminalText } from '../../poller/lib/executors/cli-session/terminal-text.js';
import { extractCommandOutput } from '../../poller/lib/executors/cli-session/command-output.js';
import { OutputBudget, CappedText } from '../../poller/lib/executors/cli-session/output-budget.js';
import { compileRegex, DEFAULT_PROMPT } from '../../poller/lib/executors/cli-session/cli-params.js';
import { assertGolden } from './golden.js';

/** Raw transcripts in the shapes old gear produces them. */
const RENDER_CASES: Record<string, string> = {
  'cisco pager erased with backspaces': 'line 20\r\n --More-- \b\b\b\b\b\b\b\b\b\b          \b\b\b\b\b\b\b\b\b\bline 21\r\n',
  'huawei pager erased with CR and ANSI cursor moves': '  ---- More ----\x1b[42D                                          \x1b[42Dinterface Vlanif1\r\n',
  'zte/bdcom pager erased with CR + spaces + CR': '--More--\r        \rgpon-onu_1/1/1:1\r\n',
  'colors and bracketed-paste marks from a Linux shell': '\x1b[?2004h\x1b[01;32muser@host\x1b[00m:~$ ls\r\n\x1b[?2004l\rfile\r\n',
  'LF CR line ends (some D-Link)': 'a\n\rb\n\r',
  'bare CR overwrite keeps the longer tail': 'abcdef\rXY\n',
  'tabs, BEL and NUL are handled': 'a\tb\x07\x00c\n',
  'DEL and trailing blanks': 'abc\x7f   \n',
  'OSC title sequence': '\x1b]0;sw-core-1\x07sw-core-1#',
};

const EXTRACT_CASES: Array<{ name: string; raw: string; command: string; promptSeen: boolean }> = [
  { name: 'echo, output, prompt', raw: 'show clock\r\n*10:00:00 UTC\r\nsw-core-1#', command: 'show clock', promptSeen: true },
  { name: 'no echo (exec-like device)', raw: '*10:00:00 UTC\r\nsw-core-1#', command: 'show clock', promptSeen: true },
  { name: 'echo redrawn with the prompt in front', raw: '\rsw-core-1#show clock\r\n*10:00:00 UTC\r\n\r\nsw-core-1#', command: 'show clock', promptSeen: true },
  { name: 'timed out: no prompt to drop', raw: 'show slow\r\npartial line 1\r\npartial', command: 'show slow', promptSeen: false },
  { name: 'output that looks like the command is kept after the echo', raw: 'echo x\r\necho x\r\nsw#', command: 'echo x', promptSeen: true },
  { name: 'command with no output', raw: 'terminal length 0\r\nsw-core-1#', command: 'terminal length 0', promptSeen: true },
];

describe('terminal rendering and command output extraction', () => {
  it('renders raw terminal transcripts like a dumb terminal (golden)', async () => {
    const rendered = Object.fromEntries(Object.entries(RENDER_CASES).map(([name, raw]) => [name, renderTerminalText(raw)]));
    await assertGolden('terminal-text.json', rendered);
  });

  it('cuts the echo and the prompt out of a command transcript (golden)', async () => {
    const outputs = EXTRACT_CASES.map(({ name, raw, command, promptSeen }) => ({ name, output: extractCommandOutput(raw, command, { promptSeen }) }));
    await assertGolden('command-output.json', outputs);
  });

  it('looks only at the rendered line being written, bounded in length', () => {
    assert.equal(renderLastLine('a\r\nb\r\n --More-- '), ' --More--');
    assert.equal(renderLastLine(`x\n${'y'.repeat(10_000)}#`, 100).length, 100);
  });

  it('the default prompt matches common device prompts and not output lines', () => {
    const prompt = compileRegex(DEFAULT_PROMPT);
    for (const line of ['sw-core-1#', 'Router>', '<HUAWEI>', '[~HUAWEI]', 'user@host:~$ ', 'OLT-1(config)#', 'root@mx960> ', 'DES-3200:admin#']) {
      assert.ok(prompt.test(line), line);
    }
    for (const line of ['Username: ', 'Password:', ' --More-- ', 'interface FastEthernet0/1 is up, line protocol is up (connected) and this is a very long line that is not a prompt#']) {
      assert.ok(!prompt.test(line), line);
    }
  });

  it('compiles /literal/flags and bare sources', () => {
    assert.ok(compileRegex('/password:\\s*$/i').test('PASSWORD: '));
    assert.ok(!compileRegex('password:\\s*$').test('PASSWORD: '));
  });

  it('caps bytes across sinks and never splits a UTF-8 character', () => {
    const budget = new OutputBudget(10);
    const first = new CappedText(budget);
    assert.equal(first.push(Buffer.from('abcd')), true);
    const second = new CappedText(budget);
    // "Пароль" is 12 bytes; 6 fit, i.e. exactly three 2-byte letters.
    assert.equal(second.push(Buffer.from('Пароль')), false);
    assert.equal(second.text, 'Пар');
    assert.equal(budget.truncated, true);
    const split = new CappedText(new OutputBudget(100));
    const bytes = Buffer.from('ж');
    split.push(bytes.subarray(0, 1));
    split.push(bytes.subarray(1));
    assert.equal(split.text, 'ж');
  });
});
