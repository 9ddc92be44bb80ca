import YAML, { LineCounter, isNode } from 'yaml';
import type { z } from 'zod';
import { UsmError } from './usm-error.js';
import { listZodProblems } from './zod-problems.js';

export interface YamlSchemaOptions {
  /** UsmError code of every failure (E_ANSWERS, E_CORE_STATE, ...). */
  code: string;
  /** Names the file in messages. */
  sourceName: string;
  /** What the document is, for "invalid <what>". */
  what: string;
  /** The problem line of an empty file, e.g. "(root): expected a mapping with version, ...". */
  emptyHint: string;
}

/**
 * Parses YAML and validates it with a zod schema. Every problem at once, one
 * line each: YAML errors with line and column, schema problems naming the
 * field path and, when the field is in the file, its line. Values are never
 * quoted back (zod messages do not quote input), so secrets stay out.
 */
export function parseYamlWithSchema<S extends z.ZodType>(text: string, schema: S, options: YamlSchemaOptions): z.infer<S> {
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => {
      const where = lineCounter.linePos(error.pos[0]);
      return `line ${where.line}, column ${where.col}: ${error.message.split('\n')[0] ?? error.code}`;
    });
    throw new UsmError(options.code, `${options.sourceName}: not valid YAML`, { problems });
  }
  const data: unknown = doc.toJS({ maxAliasCount: 50 });
  if (data === null || data === undefined) {
    throw new UsmError(options.code, `${options.sourceName}: the file is empty`, { problems: [options.emptyHint] });
  }
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = listZodProblems(result.error).map((line, index) => {
    const issue = result.error.issues[index];
    const position = issue === undefined ? undefined : lineOf(doc, lineCounter, issue.path);
    return position === undefined ? line : `${line} (line ${position})`;
  });
  throw new UsmError(options.code, `${options.sourceName}: invalid ${options.what}`, { problems });
}

/** The 1-based line of the deepest node on `path` that exists in the document. */
function lineOf(doc: YAML.Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let length = path.length; length > 0; length -= 1) {
    const node: unknown = doc.getIn(path.slice(0, length) as unknown[], true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}
