import { z } from 'zod';

/**
 * Params shared by the interactive CLI executors (ssh shell mode, telnet).
 * Regexes arrive as strings: either a bare source ("[>#]\\s*$") or a
 * literal with flags ("/password:\\s*$/i").
 */
const LITERAL = /^\/(.*)\/([imsu]*)$/s;

export function compileRegex(source: string): RegExp {
  const literal = LITERAL.exec(source);
  if (literal) return new RegExp(literal[1]!, literal[2]);
  return new RegExp(source);
}

function compiles(source: string): boolean {
  try {
    compileRegex(source);
    return true;
  } catch {
    return false;
  }
}

export const regexSchema = z.string().min(1).max(512).refine(compiles, 'must be a valid regular expression');

// A newline inside a command would silently send two commands (or answer a prompt nobody saw).
export const commandSchema = z.string().max(4096).regex(/^[^\r\n]*$/, 'must be one line (no CR/LF)');
export const commandsSchema = z.array(commandSchema).min(1).max(64);

export const pagerSchema = z.strictObject({
  regex: regexSchema,
  answer: z.string().max(16).default(' '),
});

export const newlineSchema = z.enum(['\n', '\r', '\r\n']);
export const commandTimeoutSchema = z.number().int().min(50).max(600_000).default(10_000);
/** TCP connect (+ SSH handshake and authentication) budget, apart from the per-command timer. */
export const connectTimeoutSchema = z.number().int().min(50).max(600_000).default(10_000);
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
export const maxOutputBytesSchema = z.number().int().min(1).max(64 * 1024 * 1024).default(DEFAULT_MAX_OUTPUT_BYTES);

/** Default shell prompt: a host-ish name ending in #, >, $ or % at the end of the line (Cisco, Huawei <x>/[x], Juniper, BDCOM, Linux). */
export const DEFAULT_PROMPT = String.raw`/^[\w.@:()<\[\]\/~ -]{0,80}[#>$%\]]\s*$/`;

export interface PagerSpec {
  regex: RegExp;
  answer: string;
}
