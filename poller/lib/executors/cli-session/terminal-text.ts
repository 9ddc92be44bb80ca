/**
 * Renders raw terminal output the way a dumb terminal would show it. Network
 * gear paints its pager and line editing with control characters: "--More--"
 * is erased with "\r" + spaces + "\r" or a run of backspaces, long lines are
 * redrawn with ANSI cursor moves. Emulating carriage return and backspace as
 * cursor moves (not deletions) reproduces what an operator saw on screen.
 */

// CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), charset selection (ESC ( B) and two-byte escapes (ESC 7, ESC =).
const ESCAPE_SEQUENCE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()*+][0-9A-Za-z]|\x1b[@-Z\\-_=>78]/g;

export function stripEscapeSequences(raw: string): string {
  return raw.replace(ESCAPE_SEQUENCE, '');
}

/** Full rendering: escape sequences dropped, CR/BS applied per line, trailing blanks trimmed, "\n" line ends. */
export function renderTerminalText(raw: string): string {
  const text = stripEscapeSequences(raw);
  const lines: string[] = [];
  let line: string[] = [];
  let column = 0;
  for (const char of text) {
    if (char === '\n') {
      lines.push(line.join('').trimEnd());
      line = [];
      column = 0;
    } else if (char === '\r') {
      column = 0;
    } else if (char === '\b') {
      column = Math.max(0, column - 1);
    } else if (char === '\t' || char >= ' ') {
      if (char === '\x7f') continue;
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
