/**
 * Maps what net-snmp hands to a response callback onto the result error
 * codes of job-protocol.md. Matching on `name`/`code` instead of
 * `instanceof` keeps this pure and testable without the library.
 */

export interface ClassifiedError {
  code: string;
  message: string;
}

/** RFC 3416 error-status names by value; the code is E_SNMP_ + the name in upper snake case. */
const ERROR_STATUS_NAMES = [
  'noError', 'tooBig', 'noSuchName', 'badValue', 'readOnly', 'genErr', 'noAccess', 'wrongType',
  'wrongLength', 'wrongEncoding', 'wrongValue', 'noCreation', 'inconsistentValue',
  'resourceUnavailable', 'commitFailed', 'undoFailed', 'authorizationError', 'notWritable', 'inconsistentName',
];

// net-snmp ResponseInvalidCode values that mean the USM rejected us (RFC 3414 reports) or our keys are wrong.
const RESPONSE_CODE_AUTH = new Set([4 /* ECouldNotDecrypt */, 5 /* EAuthFailure */, 14 /* ENotInTimeWindow */]);

const UNREACHABLE_ERRNO = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT']);

export function errorStatusName(status: number): string {
  return ERROR_STATUS_NAMES[status] ?? `status${status}`;
}

export function errorStatusCode(status: number): string {
  return `E_SNMP_${errorStatusName(status).replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

export function classifySnmpError(error: unknown, host: string): ClassifiedError {
  const err = (error ?? {}) as { name?: string; message?: string; status?: unknown; code?: unknown };
  const message = err.message ?? String(error);
  if (err.name === 'RequestTimedOutError') return { code: 'E_TIMEOUT', message: `no SNMP answer from ${host} (after retries)` };
  if (err.name === 'RequestFailedError' && typeof err.status === 'number') {
    return { code: errorStatusCode(err.status), message: `agent answered ${errorStatusName(err.status)}: ${message}` };
  }
  if (err.name === 'ResponseInvalidError' && typeof err.code === 'number') {
    if (RESPONSE_CODE_AUTH.has(err.code)) return { code: 'E_AUTH', message: `SNMPv3 security failure: ${message}` };
    return { code: 'E_SNMP_BAD_RESPONSE', message: `unusable answer from ${host}: ${message}` };
  }
  if (err.name === 'RequestInvalidError') return { code: 'E_SNMP_BAD_REQUEST', message };
  if (typeof err.code === 'string') {
    if (UNREACHABLE_ERRNO.has(err.code)) return { code: 'E_UNREACHABLE', message: `cannot reach ${host}: ${err.code}` };
    if (err.code === 'ECONNREFUSED') return { code: 'E_REFUSED', message: `${host} refused: ${message}` };
  }
  return { code: 'E_INTERNAL', message };
}
