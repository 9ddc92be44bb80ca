import { chmod, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../../../common/atomic-file.js';
import { UsmError, describeError } from '../../../common/usm-error.js';
import type { FileChange } from './file-plan.js';

/**
 * Writes every changed file atomically (temp + rename, mode set before the
 * content lands). If one write fails, the files already written are put back
 * as they were, so a failed run leaves the previous configuration in place.
 */
export async function applyFileChanges(changes: readonly FileChange[]): Promise<FileChange[]> {
  const done: FileChange[] = [];
  try {
    for (const change of changes) {
      if (change.action === 'unchanged') continue;
      if (change.action === 'chmod') await chmod(change.hostPath, change.mode);
      else await writeFileAtomic(change.hostPath, change.content, { mode: change.mode });
      done.push(change);
    }
  } catch (error) {
    await rollBackFileChanges(done);
    throw new UsmError('E_WRITE', `could not write ${changes[done.length]?.hostPath ?? 'a file'}: ${describeError(error)}; nothing was changed`, { cause: error });
  }
  return done;
}

/** Restores files to their previous content and mode (created ones are removed). */
export async function rollBackFileChanges(changes: readonly FileChange[]): Promise<void> {
  for (const change of [...changes].reverse()) {
    if (change.previous === null) await rm(change.hostPath, { force: true });
    else await writeFileAtomic(change.hostPath, change.previous, { mode: change.previousMode ?? change.mode });
  }
}
