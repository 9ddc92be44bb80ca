import YAML, { LineCounter, isNode } from 'yaml';
import { listZodProblems } from '../../../common/zod-problems.js';
import { UsmError } from '../../../common/usm-error.js';
import { answersSchema, type Answers } from './answers-schema.js';

/**
 * Reads an answers file. Every problem is reported at once, one line each,
 * naming the field path and, when the field is in the file, its line:
 * YAML syntax errors, duplicate keys, unknown keys, missing or misplaced
 * transport sections, bad keys and addresses. Throws UsmError E_ANSWERS.
 * Values are never echoed for secret fields (zod messages do not quote input).
 */
export function parseAnswersYaml(text: string, sourceName = 'answers file'): Answers {
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => {
      const where = lineCounter.linePos(error.pos[0]);
      const message = error.message.split('\n')[0] ?? error.code;
      return `line ${where.line}, column ${where.col}: ${message}`;
    });
    throw new UsmError('E_ANSWERS', `${sourceName}: not valid YAML`, { problems });
  }
  const data: unknown = doc.toJS({ maxAliasCount: 50 });
  if (data === null || data === undefined) {
    throw new UsmError('E_ANSWERS', `${sourceName}: the file is empty`, { problems: ['(root): expected a YAML mapping with version, satellite, transport, ...'] });
  }
  const result = answersSchema.safeParse(data);
  if (result.success) return result.data;
  const problems = listZodProblems(result.error).map((line, index) => {
    const issue = result.error.issues[index];
    const position = issue === undefined ? undefined : lineOf(doc, lineCounter, issue.path);
    return position === undefined ? line : `${line} (line ${position})`;
  });
  throw new UsmError('E_ANSWERS', `${sourceName}: invalid answers`, { problems });
}

/** The 1-based line of the deepest node on `path` that exists in the document. */
function lineOf(doc: YAML.Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let length = path.length; length > 0; length -= 1) {
    const node: unknown = doc.getIn(path.slice(0, length) as unknown[], true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}
