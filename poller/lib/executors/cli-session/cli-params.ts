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

/**
 * True when a repeated group contains a quantifier, like `(a+)+`, `(a*)*`,
 * `(.+)+`, `(\w+\s?)*` or `((ab)+c){2,}`: the shapes whose backtracking is
 * exponential on a near-miss, which a device's output can trigger (V8 has no
 * backtracking limit, so one test() would freeze the poller). A group
 * repeated at most once (`?`, `{0,1}`) is fine.
 */
export function hasNestedQuantifier(source: string): boolean {
  const pattern = LITERAL.exec(source)?.[1] ?? source;
  // One entry per open group: does it contain a quantifier (directly or through an inner group)?
  const groups: boolean[] = [false];
  let i = 0;
  const markQuantified = () => {
    groups[groups.length - 1] = true;
  };
  while (i < pattern.length) {
    const char = pattern[i]!;
    if (char === '\\') {
      i += 2;
    } else if (char === '[') {
      i = skipClass(pattern, i);
    } else if (char === '(') {
      groups.push(false);
      i = skipGroupPrefix(pattern, i + 1);
    } else if (char === ')') {
      const inner = groups.length > 1 ? groups.pop()! : false;
      i += 1;
      const quantifier = readQuantifier(pattern, i);
      if (quantifier && inner && quantifier.repeats) return true;
      if (inner || quantifier) markQuantified();
      if (quantifier) i = quantifier.end;
    } else {
      const quantifier = readQuantifier(pattern, i);
      if (quantifier) {
        markQuantified();
        i = quantifier.end;
      } else {
        i += 1;
      }
    }
  }
  return false;
}

/** Index just past a character class starting at `start` (JS syntax: `]` right after `[` or `[^` closes it). */
function skipClass(pattern: string, start: number): number {
  let i = start + 1;
  while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Past `?:`, `?=`, `?!`, `?<=`, `?<!` or `?<name>` after an opening parenthesis (that `?` is no quantifier). */
function skipGroupPrefix(pattern: string, at: number): number {
  if (pattern[at] !== '?') return at;
  if (pattern[at + 1] !== '<') return at + 2;
  if (pattern[at + 2] === '=' || pattern[at + 2] === '!') return at + 3;
  const close = pattern.indexOf('>', at);
  return close < 0 ? pattern.length : close + 1;
}

const BRACES = /\{(\d+)(,(\d*))?\}/y;

/** The quantifier at `at`, if any: `repeats` when it allows more than one repetition. A lazy/possessive suffix is skipped. */
function readQuantifier(pattern: string, at: number): { end: number; repeats: boolean } | undefined {
  const char = pattern[at];
  let end: number;
  let repeats: boolean;
  if (char === '*' || char === '+') {
    end = at + 1;
    repeats = true;
  } else if (char === '?') {
    end = at + 1;
    repeats = false;
  } else if (char === '{') {
    BRACES.lastIndex = at;
    const braces = BRACES.exec(pattern);
    if (!braces) return undefined;
    end = BRACES.lastIndex;
    const max = braces[2] === undefined ? Number(braces[1]) : braces[3] === '' ? Infinity : Number(braces[3]);
    repeats = max > 1;
  } else {
    return undefined;
  }
  if (pattern[end] === '?') end += 1;
  return { end, repeats };
}

export const regexSchema = z
  .string()
  .min(1)
  .max(512)
  .refine(compiles, 'must be a valid regular expression')
  .refine((source) => !hasNestedQuantifier(source), 'must not repeat a group that contains a quantifier, like (a+)+ or (\\w+\\s?)* (catastrophic backtracking on device output)');

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
