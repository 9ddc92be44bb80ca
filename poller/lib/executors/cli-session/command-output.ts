import { renderTerminalText } from './terminal-text.js';

/**
 * Cuts one command's answer out of a shell transcript: the raw text from
 * after the command was sent up to and including the next prompt. The echo
 * of the command (first line, when it is the command) and the prompt line
 * (last line) are removed, as are blank lines at either end.
 */
export function extractCommandOutput(raw: string, command: string, options: { promptSeen: boolean }): string {
  const lines = renderTerminalText(raw).split('\n');
  const first = lines[0];
  if (first !== undefined && isEcho(first, command)) lines.shift();
  if (options.promptSeen) lines.pop();
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines.join('\n');
}

function isEcho(line: string, command: string): boolean {
  const wanted = command.trim();
  const seen = line.trim();
  if (wanted === '') return seen === '';
  // Some devices redraw the prompt in front of the echo, so the echo is a suffix of the line.
  return seen === wanted || seen.endsWith(wanted);
}
