import { readFile } from 'node:fs/promises';
import { UsmError, describeError } from '../../../common/usm-error.js';
import { DEFAULT_PATHS, parseAnswersYaml, type Answers } from '../../../provision/index.js';
import { underRoot } from '../plan/file-plan.js';

export const DEFAULT_APPLIED_ANSWERS = `${DEFAULT_PATHS.configDir}/satellite.yaml`;

/** The answers setup applied (satellite.yaml), or a clear "not set up" error. */
export async function loadAppliedAnswers(root: string, path = DEFAULT_APPLIED_ANSWERS): Promise<Answers> {
  let text: string;
  try {
    text = await readFile(underRoot(root, path), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsmError('E_NOT_SET_UP', `${path} does not exist under ${root}: this satellite is not set up (run usm-appliance setup)`);
    }
    throw new UsmError('E_NOT_SET_UP', `cannot read ${path}: ${describeError(error)}`);
  }
  return parseAnswersYaml(text, path);
}

/** Reads an answers (enrollment) file given on the command line. */
export async function loadAnswersFile(path: string): Promise<Answers> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsmError('E_ANSWERS', `cannot read the answers file ${path}: ${describeError(error)}`);
  }
  return parseAnswersYaml(text, path);
}
