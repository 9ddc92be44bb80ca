/**
 * The one error class of the project. `code` is stable and machine-readable
 * (E_CONFIG, E_INVALID_JOB, E_ANSWERS, ...); `message` is one line for people.
 * Failures that are expected per device (timeouts, refused ports, bad
 * credentials) are not thrown: they become job results.
 */
export class UsmError extends Error {
  readonly code: string;
  /** Extra lines (one per problem) shown under the message, e.g. zod issues. */
  readonly problems: readonly string[];

  constructor(code: string, message: string, options: { cause?: unknown; problems?: readonly string[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UsmError';
    this.code = code;
    this.problems = options.problems ?? [];
  }
}

export function isUsmError(value: unknown): value is UsmError {
  return value instanceof UsmError;
}

/** One readable block for people: the message, then one line per problem. */
export function formatUsmError(error: UsmError): string {
  return [error.message, ...error.problems.map((line) => `  - ${line}`)].join('\n');
}

/** Message of anything thrown, without a stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
