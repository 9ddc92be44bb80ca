import { UsmError } from '../../../common/usm-error.js';

/**
 * Satellite ids as the core's settings page shows them. The id ends up in a
 * queue name (usm_poller-sat-<id>), a RabbitMQ user name, a wg-quick comment
 * and file names, so it stays within a conservative character set.
 */
export const SATELLITE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isSatelliteId(value: string): boolean {
  return SATELLITE_ID_PATTERN.test(value);
}

export function assertSatelliteId(value: string, what = 'satellite id'): void {
  if (!isSatelliteId(value)) {
    throw new UsmError('E_WIREGUARD', `${what} ${JSON.stringify(value)} must be 1-64 characters of A-Z a-z 0-9 _ -`);
  }
}

/**
 * Orders ids numerically when both are numbers ("2" before "10"), otherwise
 * by code unit; deliberately not locale-aware so output never depends on ICU.
 */
export function compareSatelliteIds(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) {
    const aTrimmed = a.replace(/^0+(?=\d)/, '');
    const bTrimmed = b.replace(/^0+(?=\d)/, '');
    if (aTrimmed.length !== bTrimmed.length) return aTrimmed.length - bTrimmed.length;
    if (aTrimmed !== bTrimmed) return aTrimmed < bTrimmed ? -1 : 1;
  } else if (aNumeric !== bNumeric) {
    return aNumeric ? -1 : 1;
  }
  return a === b ? 0 : a < b ? -1 : 1;
}
