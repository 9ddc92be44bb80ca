import type { RawVarbind } from 'net-snmp';
import type { Outcome } from '../executor.js';
import { failed } from '../executor.js';
import { classifySnmpError } from './classify-snmp-error.js';
import type { ResultVarbind } from './convert-varbind.js';
import { TAG, convertVarbind, convertVarbinds } from './convert-varbind.js';
import { compareOids, isInSubtree } from './oid-order.js';
import type { SnmpClient } from './snmp-client.js';

export interface WalkOptions {
  root: string;
  /** v1 has no GetBulk: walk with GetNext. */
  useGetNext: boolean;
  maxRepetitions: number;
  maxRows: number;
  host: string;
  setPartial(data: Record<string, unknown>): void;
}

const NO_SUCH_NAME = 2;
const EXCEPTION_TYPES = new Set(['noSuchObject', 'noSuchInstance', 'endOfMibView']);

/**
 * Walks the subtree under `root`: GetBulk (or GetNext for v1) from the last
 * OID seen until a row leaves the subtree, endOfMibView, or maxRows. Rows are
 * converted and appended once; the partial-data record shares the same array
 * so a deadline reports everything gathered without copying per round.
 */
export async function walkSubtree(client: SnmpClient, options: WalkOptions): Promise<Outcome> {
  const rows: ResultVarbind[] = [];
  const partial = { varbinds: rows, truncated: true };
  options.setPartial(partial);
  let cursor = options.root;

  for (;;) {
    const result = await client.request<Array<RawVarbind | RawVarbind[]> | RawVarbind[]>((session, done) =>
      options.useGetNext ? session.getNext([cursor], done) : session.getBulk([cursor], 0, options.maxRepetitions, done),
    );
    if (!result.ok) {
      if (result.aborted) return failed('E_TIMEOUT', `walk of ${options.root} reached the job deadline after ${rows.length} rows`, partial);
      const status = (result.error as { status?: unknown }).status;
      // SNMPv1 signals the end of the MIB view with noSuchName on GetNext.
      if (options.useGetNext && (result.error as Error).name === 'RequestFailedError' && status === NO_SUCH_NAME) break;
      const { code, message } = classifySnmpError(result.error, options.host);
      return failed(code, message, partial);
    }
    const batch = pickColumn(result.value, options.useGetNext);
    if (batch.length === 0) break;

    let finished = false;
    for (const raw of batch) {
      if (raw.type === TAG.endOfMibView || !isInSubtree(options.root, raw.oid)) {
        finished = true;
        break;
      }
      if (compareOids(raw.oid, cursor) <= 0) {
        return failed(
          'E_SNMP_OID_NOT_INCREASING',
          `agent returned ${raw.oid} after ${cursor}: OIDs must increase, the walk stopped after ${rows.length} rows`,
          partial,
        );
      }
      rows.push(convertVarbind(raw));
      cursor = raw.oid;
      if (rows.length >= options.maxRows) {
        return { status: 'ok', data: { varbinds: rows, truncated: true } };
      }
    }
    if (finished) break;
  }

  if (rows.length === 0) return walkLeaf(client, options.root);
  return { status: 'ok', data: { varbinds: rows, truncated: false } };
}

/** Like snmpwalk: a root that is itself an instance (sysName.0) yields that one value. */
async function walkLeaf(client: SnmpClient, root: string): Promise<Outcome> {
  const result = await client.request<RawVarbind[]>((session, done) => session.get([root], done));
  if (result.ok) {
    const found = convertVarbinds(result.value).filter((vb) => !EXCEPTION_TYPES.has(vb.type));
    return { status: 'ok', data: { varbinds: found, truncated: false } };
  }
  // An empty subtree is an answer, not a failure: nothing lives under the root.
  if (!result.aborted && (result.error as Error).name === 'RequestFailedError') return { status: 'ok', data: { varbinds: [], truncated: false } };
  if (result.aborted) return failed('E_TIMEOUT', `walk of ${root} reached the job deadline`, { varbinds: [], truncated: true });
  const { code, message } = classifySnmpError(result.error, 'the agent');
  return failed(code, message, { varbinds: [], truncated: true });
}

function pickColumn(value: Array<RawVarbind | RawVarbind[]> | RawVarbind[], useGetNext: boolean): RawVarbind[] {
  if (useGetNext) return value as RawVarbind[];
  const first = value[0];
  return Array.isArray(first) ? first : [];
}
