import { PROTOCOL_VERSION } from './job-schema.js';

export type ResultStatus = 'ok' | 'error' | 'timeout' | 'invalid' | 'expired';

export interface ResultError {
  code: string;
  message: string;
}

export interface PollerIdentity {
  id: string;
  satelliteId: string | null;
  version: string;
}

export interface JobResult {
  v: typeof PROTOCOL_VERSION;
  id: string | null;
  type: string;
  status: ResultStatus;
  data: Record<string, unknown> | null;
  error: ResultError | null;
  poller: PollerIdentity;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

export interface ResultParts {
  id: string | null;
  type: string;
  status: ResultStatus;
  data?: Record<string, unknown> | null;
  error?: ResultError | null;
  startedAt: number;
  finishedAt: number;
}

export function buildResult(parts: ResultParts, poller: PollerIdentity): JobResult {
  return {
    v: PROTOCOL_VERSION,
    id: parts.id,
    type: parts.type,
    status: parts.status,
    data: parts.data ?? null,
    error: parts.status === 'ok' ? null : parts.error ?? { code: 'E_INTERNAL', message: 'no error detail' },
    poller,
    startedAt: new Date(parts.startedAt).toISOString(),
    finishedAt: new Date(parts.finishedAt).toISOString(),
    durationMs: Math.max(0, Math.round(parts.finishedAt - parts.startedAt)),
  };
}
