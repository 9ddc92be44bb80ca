import type { z } from 'zod';
import { UsmError } from '../../../common/usm-error.js';
import { listZodProblems } from '../../../common/zod-problems.js';

/**
 * Parses the input of a provisioning generator with its zod schema, or throws
 * one UsmError(E_PROVISION_INPUT) that names every bad field, so a caller
 * (wizard, answers file) can show the operator what to fix.
 */
export function validateInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = listZodProblems(parsed.error);
  throw new UsmError('E_PROVISION_INPUT', `invalid ${what}:`, { problems });
}
