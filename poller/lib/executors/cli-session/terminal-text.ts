/**
 * Renders raw terminal output the way a dumb terminal would show it. Network
 * gear paints its pager and line editing with control characters: "--More--"
 * is erased with "\r" + spaces + "\r" or a run of backspaces, long lines are
 * redrawn with ANSI cursor moves. Emulating carriage return and backspace as
 * cursor moves (not deletions) reproduces what an operator saw on screen.
 */

// OSC (ESC ] ... BEL or ST), charset selection (ESC ( B) and two-byte escapes (ESC 7, ESC =) carry nothing visible.
const INVISIBLE_ESCAPE = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()*+][0-9A-Za-z]|\x1b[@-Z\\^_=>78]/g;
// CSI: ESC [ params intermediates final. Cursor moves (C, D, G) and erase-in-line (K) are applied; the rest (colors, modes) dropped.
const CSI = /\x1b\[([0-?]*)[ -/]*([@-~])/y;

/**
 * Cursor moves address at most this many columns (a real terminal has 80-511).
 * The count comes from the device, so unclamped, `ESC[999999999C` would pad a
 * line with a billion blanks.
 */
export const MAX_CURSOR_COLUMNS = 4096;
/** A longer run of text wraps onto a new line, as on a terminal, so one line never holds more than this many cells. */
export const MAX_LINE_CHARS = 65_536;

/** Full rendering: escape sequences applied or dropped, CR/BS/cursor moves applied per line, trailing blanks trimmed, "\n" line ends. */
export function renderTerminalText(raw: string): string {
  const text = raw.replace(INVISIBLE_ESCAPE, '');
  const lines: string[] = [];
  let line: string[] = [];
  let column = 0;
  // Blanks that cursor moves may add in all: with it the rendering stays within ~2x the raw text, however the moves are repeated.
  let padding = text.length + MAX_CURSOR_COLUMNS;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (char === '\x1b') {
      CSI.lastIndex = i;
      const csi = CSI.exec(text);
      if (!csi) continue; // A lone ESC (or one cut by a packet boundary) is dropped.
      i = CSI.lastIndex - 1;
      const count = Math.min(MAX_LINE_CHARS, Math.max(1, Number.parseInt(csi[1] || '1', 10) || 1));
      // Moves over text already on the line go where they say; past its end, no further than MAX_CURSOR_COLUMNS.
      const limit = Math.max(line.length, MAX_CURSOR_COLUMNS - 1);
      if (csi[2] === 'D') column = Math.max(0, column - count);
      else if (csi[2] === 'C') column = Math.min(column + count, limit);
      else if (csi[2] === 'G') column = Math.min(count - 1, limit);
      else if (csi[2] === 'K') {
        if (csi[1] === '2') line = [];
        else if ((csi[1] === '' || csi[1] === '0') && line.length > column) line.length = column;
      }
      continue;
    }
    if (char === '\n') {
      lines.push(line.join('').trimEnd());
      line = [];
      column = 0;
    } else if (char === '\r') {
      column = 0;
    } else if (char === '\b') {
      column = Math.max(0, column - 1);
    } else if (char === '\t' || (char >= ' ' && char !== '\x7f')) {
      if (column > line.length) {
        column = Math.min(column, line.length + padding);
        padding -= column - line.length;
        while (line.length < column) line.push(' ');
      }
      if (column >= MAX_LINE_CHARS) {
        lines.push(line.join('').trimEnd());
        line = [];
        column = 0;
      }
      line[column] = char;
      column += 1;
    }
    // Other C0 controls (BEL, NUL, XON/XOFF) carry nothing an operator reads.
  }
  lines.push(line.join('').trimEnd());
  return lines.join('\n');
}

// Escapes and overwrites make the raw line longer than what it renders to; this much raw text per rendered character is kept.
const RAW_PER_RENDERED = 4;

/**
 * The rendered text of the line being written (after the last newline),
 * bounded so user regexes see at most `limit` characters. Only the raw tail
 * is rendered, so the cost per call is bounded however long the line grows.
 */
export function renderLastLine(raw: string, limit = 4096): string {
  const tail = raw.length > limit * RAW_PER_RENDERED ? raw.slice(raw.length - limit * RAW_PER_RENDERED) : raw;
  const rendered = renderTerminalText(tail.slice(tail.lastIndexOf('\n') + 1));
  const line = rendered.slice(rendered.lastIndexOf('\n') + 1);
  return line.length > limit ? line.slice(line.length - limit) : line;
}
