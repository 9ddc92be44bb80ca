import { UsmError } from '../../../common/usm-error.js';

/**
 * One `KEY='value'` line that systemd's EnvironmentFile= and Docker Compose's
 * env_file both read the same way: single quotes are literal in both (no
 * `$VAR` expansion, no backslash escapes). A value that itself holds a single
 * quote or a line break cannot be written that way and is refused; callers
 * percent-encode URLs first.
 */
export function renderEnvLine(key: string, value: string): string {
  if (!/^[A-Z_][A-Z0-9_]*$/.test(key)) throw new UsmError('E_PROVISION_INPUT', `invalid environment variable name ${JSON.stringify(key)}`);
  if (/['\n\r\0]/.test(value)) {
    throw new UsmError('E_PROVISION_INPUT', `${key}: the value must not contain a single quote, a line break or NUL`);
  }
  return `${key}='${value}'`;
}
