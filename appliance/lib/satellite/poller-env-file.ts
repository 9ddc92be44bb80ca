import { readFile } from 'node:fs/promises';
import { UsmError, describeError } from '../../../common/usm-error.js';
import { underRoot } from '../plan/file-plan.js';

/** Variables whose values are paths on the target system: placed under --root when the poller runs here. */
const PATH_VARIABLES = ['USM_POLLER_STATUS_FILE', 'USM_POLLER_TLS_CA_FILE', 'USM_POLLER_TLS_CERT_FILE', 'USM_POLLER_TLS_KEY_FILE'];

/**
 * Pure: reads `KEY='value'` lines as renderEnvLine writes them (and plain
 * KEY=value), skipping comments and blanks. Single quotes are literal.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new UsmError('E_CONFIG', `poller environment file, line ${index + 1}: expected KEY='value'`);
    const value = match[2]!;
    env[match[1]!] = value.startsWith("'") && value.endsWith("'") && value.length >= 2 ? value.slice(1, -1) : value;
  }
  return env;
}

/** Pure: the same environment with path values placed under root. */
export function placeEnvUnderRoot(env: Record<string, string>, root: string): Record<string, string> {
  if (root === '/' || root === '') return { ...env };
  const out = { ...env };
  for (const key of PATH_VARIABLES) {
    const value = out[key];
    if (value !== undefined && value.startsWith('/')) out[key] = underRoot(root, value);
  }
  return out;
}

export async function readPollerEnv(root: string, path: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(underRoot(root, path), 'utf8');
  } catch (error) {
    throw new UsmError('E_NOT_SET_UP', `cannot read ${path}: ${describeError(error)} (run usm-appliance setup first)`);
  }
  return placeEnvUnderRoot(parseEnvFile(text), root);
}
