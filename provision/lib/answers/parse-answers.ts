import { parseYamlWithSchema } from '../../../common/parse-yaml-document.js';
import { answersSchema, type Answers } from './answers-schema.js';

/**
 * Reads an answers file. Every problem is reported at once, one line each,
 * naming the field path and, when the field is in the file, its line:
 * YAML syntax errors, duplicate keys, unknown keys, missing or misplaced
 * transport sections, bad keys and addresses. Throws UsmError E_ANSWERS.
 * Values are never echoed for secret fields (zod messages do not quote input).
 */
export function parseAnswersYaml(text: string, sourceName = 'answers file'): Answers {
  return parseYamlWithSchema(text, answersSchema, {
    code: 'E_ANSWERS', sourceName, what: 'answers', emptyHint: '(root): expected a YAML mapping with version, satellite, transport, ...',
  });
}
