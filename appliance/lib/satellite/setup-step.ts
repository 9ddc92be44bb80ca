import { UsmError, describeError } from '../../../common/usm-error.js';

/** The named steps of setup, in order; a failure names its step. */
export type StepName = 'resolve' | 'files' | 'tunnel' | 'handshake' | 'firewall' | 'broker' | 'service' | 'poller' | 'state';

/** Runs one step; any failure becomes a UsmError that names the step (problems, i.e. the fixes, kept). */
export async function runStep<T>(name: StepName, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof UsmError) {
      if (error.message.startsWith('step "')) throw error;
      throw new UsmError(error.code, `step "${name}" failed: ${error.message}`, { cause: error, problems: error.problems });
    }
    throw new UsmError('E_SETUP', `step "${name}" failed: ${describeError(error)}`, { cause: error });
  }
}
