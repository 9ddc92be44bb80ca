import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { UsmError } from '../../../common/usm-error.js';
import { listZodProblems } from '../../../common/zod-problems.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses argv with node's parseArgs, then validates the values with zod, so
 * a bad flag is one line naming it (`--port: must be at most 65535`).
 */
export function parseFlags<S extends z.ZodType>(argv: readonly string[], options: Options, schema: S): z.infer<S> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, allowPositionals: false, strict: true }));
  } catch (error) {
    throw new UsmError('E_USAGE', (error as Error).message.replace(/^.*?: /, '').split('\n')[0] ?? 'invalid arguments');
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const problems = listZodProblems(parsed.error).map((line) => `--${line.replace(/^(\w+)/, (name) => kebab(name))}`);
    throw new UsmError('E_USAGE', problems.length === 1 ? problems[0]! : 'invalid arguments:', { problems: problems.length === 1 ? [] : problems });
  }
  return parsed.data;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
