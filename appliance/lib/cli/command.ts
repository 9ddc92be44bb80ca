import type { Logger } from '../../../common/logger.js';

/** What a command may touch; tests pass their own streams and environment. */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  /** Interactive prompts are allowed (a terminal is attached). */
  interactive: boolean;
  log: Logger;
}

export interface Command {
  /** Words that select it, e.g. ['core', 'add-satellite']. */
  readonly path: readonly string[];
  readonly summary: string;
  /** Full --help text. */
  readonly help: string;
  /** Returns the exit code. Expected failures throw UsmError (printed as one clear block, exit 2 or as coded). */
  run(argv: readonly string[], io: CommandIo): Promise<number>;
}
