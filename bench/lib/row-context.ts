import type { BenchProfile } from './bench-options.js';
import type { CleanupStack } from './cleanup-stack.js';

/** What every row gets from the runner. */
export interface RowContext {
  profile: BenchProfile;
  /** Undo steps; the runner runs them after each row, also when it fails or is interrupted. */
  cleanup: CleanupStack;
  /** Progress lines on stderr (the table goes to stdout). */
  note(line: string): void;
  /** When set, poller processes write CPU profiles here. */
  cpuProfDir?: string | undefined;
  /** The compiled poller to start (undefined: the sources through tsx). */
  pollerBin?: string | undefined;
}
