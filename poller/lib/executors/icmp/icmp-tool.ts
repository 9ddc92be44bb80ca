import type { Logger } from '../../../../common/logger.js';
import { FPING_PROBE_ARGS } from './icmp-args.js';
import { runChild } from './icmp-child.js';
import { isFpingPermissionError, parseFpingSummary } from './fping-output.js';
import { findOnPath } from './find-binary.js';
import { lastLines } from './sweep-outcome.js';

export const ICMP_PERMISSION_MESSAGE =
  'cannot open an ICMP socket: give the poller CAP_NET_RAW (e.g. AmbientCapabilities=CAP_NET_RAW, or setcap cap_net_raw+ep on fping/ping) ' +
  'or allow unprivileged ICMP for its group with sysctl net.ipv4.ping_group_range';

export interface IcmpToolPaths {
  /** fping binary; undefined = look on PATH, null = treat as missing (forces the ping fallback). */
  fpingPath?: string | null;
  /** iputils ping binary; undefined = look on PATH, null = treat as missing. */
  pingPath?: string | null;
}

export type IcmpTool = { kind: 'fping'; path: string } | { kind: 'ping'; path: string };
export type ToolChoice = { ok: true; tool: IcmpTool } | { ok: false; code: string; message: string };

/**
 * Picks fping or ping once, lazily, on the first job. fping is probed with one
 * loopback echo: fping before 5.2 opens an unprivileged ICMP socket when it
 * lacks CAP_NET_RAW but then ignores every reply, so a silent loopback means
 * "use iputils ping", which handles those sockets. Only a usable choice is
 * cached; a missing tool or permission error is re-checked on the next job,
 * so fixing the host does not need a restart.
 */
export function createToolChooser(paths: IcmpToolPaths, log: Logger, closing: AbortSignal): () => Promise<ToolChoice> {
  let pending: Promise<ToolChoice> | undefined;
  return () => {
    pending ??= chooseTool(paths, log, closing).then((choice) => {
      if (!choice.ok) pending = undefined;
      return choice;
    });
    return pending;
  };
}

async function chooseTool(paths: IcmpToolPaths, log: Logger, closing: AbortSignal): Promise<ToolChoice> {
  const fping = paths.fpingPath === null ? undefined : (paths.fpingPath ?? findOnPath('fping'));
  const ping = paths.pingPath === null ? undefined : (paths.pingPath ?? findOnPath('ping'));
  const usePing = (why: string): ToolChoice => {
    log.warn({ fping, ping }, `icmp: ${why}; using iputils ping, one process per host`);
    return { ok: true, tool: { kind: 'ping', path: ping! } };
  };
  if (fping === undefined) {
    if (ping === undefined) return { ok: false, code: 'E_ICMP_UNAVAILABLE', message: 'neither fping nor ping was found on PATH (install fping)' };
    return usePing('fping not found');
  }

  const probe = await runChild({ file: fping, args: FPING_PROBE_ARGS, signal: closing, timeoutMs: 5000 });
  if (probe.killed) return { ok: false, code: 'E_TIMEOUT', message: 'fping probe did not finish' };
  if (probe.spawnError === undefined && parseFpingSummary(probe.stderr).get('127.0.0.1')?.some((rtt) => rtt !== null)) {
    log.debug({ fping }, 'icmp: using fping');
    return { ok: true, tool: { kind: 'fping', path: fping } };
  }
  const detail = probe.spawnError ?? (lastLines(probe.stderr) || `exit ${probe.exitCode}`);
  if (isFpingPermissionError(probe.stderr)) {
    if (ping !== undefined) return usePing(`fping cannot open an ICMP socket (${detail})`);
    return { ok: false, code: 'E_ICMP_PERMISSION', message: ICMP_PERMISSION_MESSAGE };
  }
  if (ping !== undefined) return usePing(`fping saw no reply from 127.0.0.1 (${detail})`);
  log.warn({ fping, detail }, 'icmp: fping saw no reply from 127.0.0.1 and ping is missing; results may show live hosts as down');
  return { ok: true, tool: { kind: 'fping', path: fping } };
}
