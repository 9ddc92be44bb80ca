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

/** Full rendering: escape sequences applied or dropped, CR/BS/cursor moves applied per line, trailing blanks trimmed, "\n" line ends. */
export function renderTerminalText(raw: string): string {
  const text = raw.replace(INVISIBLE_ESCAPE, '');
  const lines: string[] = [];
  let line: string[] = [];
  let column = 0;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (char === '\x1b') {
      CSI.lastIndex = i;
      const csi = CSI.exec(text);
      if (!csi) continue; // A lone ESC (or one cut by a packet boundary) is dropped.
      i = CSI.lastIndex - 1;
      const count = Math.max(1, Number.parseInt(csi[1] || '1', 10) || 1);
      if (csi[2] === 'D') column = Math.max(0, column - count);
      else if (csi[2] === 'C') column += count;
      else if (csi[2] === 'G') column = count - 1;
      else if (csi[2] === 'K') {
        if (csi[1] === '2') line = [];
        else if (csi[1] === '' || csi[1] === '0') line = line.slice(0, column);
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
      while (line.length < column) line.push(' ');
      line[column] = char;
      column += 1;
    }
    // Other C0 controls (BEL, NUL, XON/XOFF) carry nothing an operator reads.
  }
  lines.push(line.join('').trimEnd());
  return lines.join('\n');
}
/** The rendered text of the line being written (after the last newline), bounded so user regexes see at most `limit` characters. */
export function renderLastLine(raw: string, limit = 4096): string {
  const start = raw.lastIndexOf('\n') + 1;
  const line = renderTerminalText(raw.slice(start));
  return line.length > limit ? line.slice(line.length - limit) : line;
}
