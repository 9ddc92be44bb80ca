import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_CURSOR_COLUMNS, MAX_LINE_CHARS, renderLastLine, renderTerminalText } from '../../poller/lib/executors/cli-session/terminal-text.js';

/**
 * Cursor-move counts come from the device. Before the clamp, `ESC[999999999C`
 * padded a line with a billion blanks and the poller ran out of memory. The
 * first case of each test is small enough to finish (wrongly) without the
 * clamp, so a regression fails instead of crashing the runner.
 */
describe('terminal rendering stays bounded whatever the device sends', () => {
  it('clamps CSI n C (cursor forward) to MAX_CURSOR_COLUMNS', () => {
    assert.equal(renderTerminalText('\x1b[20000Cx'), `${' '.repeat(MAX_CURSOR_COLUMNS - 1)}x`);
    assert.equal(renderTerminalText('\x1b[999999999Cx'), `${' '.repeat(MAX_CURSOR_COLUMNS - 1)}x`);
    assert.equal(renderTerminalText('\x1b[99999999999999999999999Cx').length, MAX_CURSOR_COLUMNS);
    // Moves over text already on the line are not clamped by the bound.
    assert.equal(renderTerminalText(`${'a'.repeat(5000)}\r\x1b[4999CZ`), `${'a'.repeat(4999)}Z`);
  });

  it('clamps CSI n G (cursor to column) to MAX_CURSOR_COLUMNS', () => {
    assert.equal(renderTerminalText('\x1b[20000Gx'), `${' '.repeat(MAX_CURSOR_COLUMNS - 1)}x`);
    assert.equal(renderTerminalText('\x1b[999999999Gx'), `${' '.repeat(MAX_CURSOR_COLUMNS - 1)}x`);
    assert.equal(renderTerminalText('ab\x1b[2GZ'), 'aZ');
    assert.equal(renderTerminalText(`${'a'.repeat(5000)}\x1b[4999GZ`), `${'a'.repeat(4998)}Z${'a'}`);
  });

  it('keeps the whole rendering within about twice the raw text when moves are repeated', () => {
    for (const raw of ['\x1b[4096Cx\n'.repeat(2000), '\x1b[4096Cx\x1b[2K'.repeat(2000), '\x1b[9999Gx\r\n'.repeat(2000)]) {
      const rendered = renderTerminalText(raw);
      assert.ok(rendered.length <= 2 * raw.length + MAX_CURSOR_COLUMNS, `${rendered.length} chars rendered from ${raw.length}`);
    }
  });

  it('wraps a run of text longer than MAX_LINE_CHARS instead of growing one line without end', () => {
    const lines = renderTerminalText('a'.repeat(MAX_LINE_CHARS + 10)).split('\n');
    assert.deepEqual(lines.map((line) => line.length), [MAX_LINE_CHARS, 10]);
  });

  it('renders the current line from its tail only, with the same result for ordinary lines', () => {
    assert.equal(renderLastLine('show ver\r\nsw-core-1#'), 'sw-core-1#');
    assert.equal(renderLastLine('x\r\n --More--\r         \rsw#'), 'sw#');
    const long = `${'y'.repeat(1_000_000)}\x1b[20000Csw#`;
    assert.equal(renderLastLine(long, 100), `${' '.repeat(97)}sw#`);
  });
});
