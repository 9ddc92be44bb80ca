import type { RawVarbind } from 'net-snmp';
import { collectSecrets, scrubSecrets } from '../../../../common/secret-text.js';
import type { ExecutionContext, Executor, ExecutorGroup, ExecutorJob, ExecutorOptions, Outcome } from '../executor.js';
import { failed } from '../executor.js';
import { classifySnmpError } from './classify-snmp-error.js';
import { convertVarbinds, encodeUnsigned, TAG } from './convert-varbind.js';
import { ensureDesPrivacy } from './des-fallback.js';
import type { ResolveHost } from './session-pool.js';
import { SessionPool, resolveWithDns } from './session-pool.js';
import type { RequestResult, SnmpClient, SnmpClientDeps } from './snmp-client.js';
import { openSnmpClient } from './snmp-client.js';
import type { SnmpCredentials, SnmpGetBulkParams, SnmpGetParams, SnmpSetParams, SnmpSetVarbind, SnmpWalkParams } from './snmp-params.js';
import { getBulkParamsSchema, getParamsSchema, setParamsSchema, walkParamsSchema } from './snmp-params.js';
import { TargetLimiter } from './target-limiter.js';
import { walkSubtree } from './walk-subtree.js';

export const DEFAULT_SNMP_PORT = 161;
/**
 * At most this many SNMP requests at once to one device from one poller. Agents answer one
 * request at a time, so more only queue in the device; fewer made one busy target (a core
 * switch polled for hundreds of ports) wait on the poller's side. 8 cost a third of the
 * throughput against a single local agent (bench P1a).
 */
export const DEFAULT_MAX_PER_TARGET = 16;

export interface SnmpTuning {
  /** Close a session after this long without jobs. Default 30 s. */
  idleMs?: number;
  /** In-flight requests per host:port; more wait in a queue. Default: options.snmpMaxPerTarget, else 16. */
  maxInFlightPerTarget?: number;
  /** Longest single attempt before a retry. Default 5 s (the job budget may make it shorter). */
  maxAttemptMs?: number;
  /** Host name resolution (default: the system resolver). */
  resolveHost?: ResolveHost;
}

/**
 * snmp.get, snmp.getnext, snmp.getbulk, snmp.walk and snmp.set on net-snmp
 * (pure JS, v1/v2c/v3 with SHA-2 and AES-256 USM), sharing one session pool.
 */
export function createSnmpExecutors(options: ExecutorOptions, tuning: SnmpTuning = {}): ExecutorGroup {
  ensureDesPrivacy();
  const pool = new SessionPool(options.log, tuning.idleMs ?? 30_000, tuning.resolveHost ?? resolveWithDns);
  const deps: SnmpClientDeps = {
    pool,
    limiter: new TargetLimiter(tuning.maxInFlightPerTarget ?? options.snmpMaxPerTarget ?? DEFAULT_MAX_PER_TARGET),
    maxAttemptMs: tuning.maxAttemptMs ?? 5_000,
    ...(options.onSnmpRequest ? { onRequest: options.onSnmpRequest } : {}),
  };

  const get: Executor<SnmpGetParams> = {
    type: 'snmp.get',
    params: getParamsSchema,
    run: (job, ctx) =>
      withClient(deps, job, ctx, async (client) =>
        toOutcome(await client.request<RawVarbind[]>((s, done) => s.get(job.params.oids, done)), job, (raw) => ({ varbinds: convertVarbinds(raw) })),
      ),
  };

  const getNext: Executor<SnmpGetParams> = {
    type: 'snmp.getnext',
    params: getParamsSchema,
    run: (job, ctx) =>
      withClient(deps, job, ctx, async (client) =>
        toOutcome(await client.request<RawVarbind[]>((s, done) => s.getNext(job.params.oids, done)), job, (raw) => ({ varbinds: convertVarbinds(raw) })),
      ),
  };

  const getBulk: Executor<SnmpGetBulkParams> = {
    type: 'snmp.getbulk',
    params: getBulkParamsSchema,
    run: (job, ctx) =>
      withClient(deps, job, ctx, async (client) => {
        const { oids, nonRepeaters, maxRepetitions } = job.params;
        const result = await client.request<Array<RawVarbind | RawVarbind[]>>((s, done) => s.getBulk(oids, nonRepeaters, maxRepetitions, done));
        return toOutcome(result, job, (raw) => ({ varbinds: convertVarbinds(flattenBulk(raw, nonRepeaters)) }));
      }),
  };

  const walk: Executor<SnmpWalkParams> = {
    type: 'snmp.walk',
    params: walkParamsSchema,
    run: (job, ctx) =>
      withClient(deps, job, ctx, (client) =>
        walkSubtree(client, {
          root: job.params.oid,
          useGetNext: job.params.version === '1',
          maxRepetitions: job.params.maxRepetitions,
          maxRows: job.params.maxRows,
          host: job.target!.host,
          setPartial: (data) => ctx.setPartial(data),
        }),
      ),
  };

  const set: Executor<SnmpSetParams> = {
    type: 'snmp.set',
    params: setParamsSchema,
    run: (job, ctx) =>
      withClient(deps, job, ctx, async (client) => {
        const varbinds = job.params.varbinds.map(toRawVarbind);
        return toOutcome(await client.request<RawVarbind[]>((s, done) => s.set(varbinds, done)), job, (raw) => ({ varbinds: convertVarbinds(raw) }));
      }),
  };

  return {
    executors: [get, getNext, getBulk, walk, set],
    close: () => pool.closeAll(),
  };
}

async function withClient<P extends SnmpCredentials>(
  deps: SnmpClientDeps,
  job: ExecutorJob<P>,
  ctx: ExecutionContext,
  work: (client: SnmpClient) => Promise<Outcome>,
): Promise<Outcome> {
  const host = job.target!.host;
  const port = job.target!.port ?? DEFAULT_SNMP_PORT;
  const secrets = collectSecrets(job.params);
  let client: SnmpClient;
  try {
    client = await openSnmpClient(deps, { host, port, credentials: job.params }, ctx);
  } catch (error) {
    const { code, message } = classifySnmpError(error, host);
    return scrubOutcome(failed(code, message), secrets);
  }
  try {
    const outcome = scrubOutcome(await work(client), secrets);
    if (outcome.status === 'error') ctx.log.debug({ host, port, code: outcome.error.code }, 'SNMP job failed');
    return outcome;
  } finally {
    client.close();
  }
}

function toOutcome<T, P>(result: RequestResult<T>, job: ExecutorJob<P>, toData: (value: T) => Record<string, unknown>): Outcome {
  if (result.ok) return { status: 'ok', data: toData(result.value) };
  if (result.aborted) return failed('E_TIMEOUT', `no SNMP answer from ${job.target!.host} within the job budget`);
  const { code, message } = classifySnmpError(result.error, job.target!.host);
  return failed(code, message);
}

// A library or agent message could quote the community (net-snmp's community-mismatch error does).
function scrubOutcome(outcome: Outcome, secrets: readonly string[]): Outcome {
  if (outcome.status === 'ok' || secrets.length === 0) return outcome;
  return { ...outcome, error: { ...outcome.error, message: scrubSecrets(outcome.error.message, secrets) } };
}

/** Back into PDU order: the non-repeaters, then each repetition's row across the repeated columns. */
export function flattenBulk(raw: ReadonlyArray<RawVarbind | RawVarbind[]>, nonRepeaters: number): RawVarbind[] {
  const out: RawVarbind[] = [];
  const columns: RawVarbind[][] = [];
  for (let i = 0; i < raw.length; i++) {
    const item = raw[i]!;
    if (i < nonRepeaters && !Array.isArray(item)) out.push(item);
    else columns.push(Array.isArray(item) ? item : [item]);
  }
  const depth = columns.reduce((max, column) => Math.max(max, column.length), 0);
  for (let row = 0; row < depth; row++) {
    for (const column of columns) {
      const vb = column[row];
      if (vb) out.push(vb);
    }
  }
  return out;
}

const SET_TAG: Record<SnmpSetVarbind['type'], number> = {
  Integer: TAG.Integer,
  Counter32: TAG.Counter32,
  Gauge32: TAG.Gauge32,
  TimeTicks: TAG.TimeTicks,
  Counter64: TAG.Counter64,
  OctetString: TAG.OctetString,
  OctetStringHex: TAG.OctetString,
  ObjectIdentifier: TAG.ObjectIdentifier,
  IpAddress: TAG.IpAddress,
};

function toRawVarbind(vb: SnmpSetVarbind): RawVarbind {
  const type = SET_TAG[vb.type];
  if (vb.type === 'Counter64') return { oid: vb.oid, type, value: encodeUnsigned(vb.value) };
  if (vb.type === 'OctetString') return { oid: vb.oid, type, value: Buffer.from(vb.value, 'utf8') };
  if (vb.type === 'OctetStringHex') return { oid: vb.oid, type, value: Buffer.from(vb.value, 'hex') };
  return { oid: vb.oid, type, value: vb.value };
}
