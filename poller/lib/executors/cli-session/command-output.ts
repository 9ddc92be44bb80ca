import { renderTerminalText } from './terminal-text.js';

/**
 * Cuts one command's answer out of a shell transcript: the raw text from
 * after the command was sent up to and including the next prompt. The echo
 * of the command (first line, when it is the command) and the prompt line
 * (last line) are removed, as are blank lines at either end.
 */
export function extractCommandOutput(raw: string, command: string, options: { promptSeen: boolean }): string {
  const lines = renderTerminalText(raw).split('\n');
  // Indices, not shift(): shifting a long array once per blank line is quadratic, and a device chooses how many blank lines it sends.
  let start = 0;
  let end = lines.length;
  const first = lines[0];
  if (first !== undefined && isEcho(first, command)) start += 1;
  if (options.promptSeen && end > start) end -= 1;
  while (start < end && lines[start]!.trim() === '') start += 1;
  while (end > start && lines[end - 1]!.trim() === '') end -= 1;
  return lines.slice(start, end).join('\n');
}

function isEcho(line: string, command: string): boolean {
  const wanted = command.trim();
  const seen = line.trim();
  if (wanted === '') return seen === '';
  // Some devices redraw the prompt in front of the echo, so the echo is a suffix of the line.
  return seen === wanted || seen.endsWith(wanted);
}
