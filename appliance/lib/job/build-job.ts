import { UsmError } from '../../../common/usm-error.js';

export interface JobFlags {
  type: string;
  host?: string | undefined;
  port?: number | undefined;
  params: readonly string[];
  timeoutMs?: number | undefined;
}

/**
 * Pure: builds a protocol-v1 job body from command-line flags. `--param`
 * values are JSON when they parse as JSON (numbers, arrays, objects), text
 * otherwise; dotted keys nest (`v3.user=ops`).
 */
export function buildJobFromFlags(flags: JobFlags): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const entry of flags.params) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsmError('E_USAGE', `--param: "${entry}" must be key=value`);
    setPath(params, entry.slice(0, eq), parseValue(entry.slice(eq + 1)));
  }
  const job: Record<string, unknown> = { v: 1, type: flags.type, params };
  if (flags.host !== undefined) job.target = flags.port === undefined ? { host: flags.host } : { host: flags.host, port: flags.port };
  if (flags.timeoutMs !== undefined) job.timeoutMs = flags.timeoutMs;
  return job;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === undefined) node[key] = {};
    else if (next === null || typeof next !== 'object' || Array.isArray(next)) throw new UsmError('E_USAGE', `--param: "${path}" conflicts with an earlier value of "${key}"`);
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}
