import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from '../../../common/usm-error.js';
import type { Answers } from '../../../provision/index.js';
import { checkHealth } from '../../../poller/lib/health/check-health.js';
import type { RunTool } from '../plan/run-tool.js';
import { readInterface } from '../tunnel/wg-interface.js';
import { handshakeAgeSeconds } from '../tunnel/wg-dump.js';
import { readQueueInfo } from './broker-link.js';
import { readRuntimeEnv } from './satellite-network.js';
import { readSatelliteState } from './satellite-state.js';
import { describeLayout } from './satellite-layout.js';

export interface SatelliteStatus {
  satelliteId: string;
  transport: Answers['transport'];
  tunnel?: { interface: string; up: boolean; handshakeAgeS: number | null; rxBytes: number; txBytes: number; endpoint: string | null };
  broker: { connected: boolean; consuming: boolean; broker: string | null; reconnects: number; inFlight: number; lastJobAt: string | null; healthy: boolean; reason: string };
  queue: { name: string; depth: number; consumers: number; depthAfter?: number } | { error: string };
  rotatedAt?: string;
  advice: string[];
}

/** Gathers the satellite's state: tunnel, poller status file, its queue (passive declare), and advice. No secrets. */
export async function readSatelliteStatus(root: string, answers: Answers, options: { run?: RunTool; sampleMs?: number } = {}): Promise<SatelliteStatus> {
  const layout = describeLayout(answers);
  const advice: string[] = [];
  let tunnel: SatelliteStatus['tunnel'];
  if (answers.transport === 'wireguard') {
    const state = await readInterface(answers.wireguard.interface, { run: options.run });
    const peer = state?.peers.find((p) => p.publicKey === answers.wireguard.core.publicKey);
    const age = peer ? handshakeAgeSeconds(peer) : null;
    tunnel = { interface: answers.wireguard.interface, up: state !== null, handshakeAgeS: age, rxBytes: peer?.rxBytes ?? 0, txBytes: peer?.txBytes ?? 0, endpoint: peer?.endpoint ?? null };
    if (!state) advice.push(`tunnel ${answers.wireguard.interface} is down: start the service (or usm-appliance run)`);
    else if (age === null || age > 180) advice.push(`no recent handshake with the core ${answers.wireguard.core.endpoint}: check UDP to it and that the core has this satellite's key`);
  }
  const env = await readRuntimeEnv(root, answers);
  const verdict = await checkHealth({ file: env.USM_POLLER_STATUS_FILE ?? '' }, 30_000);
  const s = verdict.snapshot;
  const broker = {
    connected: s?.connected ?? false, consuming: s?.consuming ?? false, broker: s?.broker ?? null, reconnects: s?.reconnects ?? 0,
    inFlight: s?.inFlight ?? 0, lastJobAt: s?.lastJobAt ?? null, healthy: verdict.healthy, reason: verdict.reason,
  };
  if (!verdict.healthy) advice.push(`poller: ${verdict.reason}`);
  let queue: SatelliteStatus['queue'];
  try {
    const first = await readQueueInfo(env);
    queue = { name: first.queue, depth: first.messageCount, consumers: first.consumerCount };
    if (first.consumerCount === 0) advice.push(`nobody consumes ${first.queue}: the poller is not connected`);
    if (first.messageCount > 0 && options.sampleMs) {
      await sleep(options.sampleMs);
      const second = await readQueueInfo(env);
      queue.depthAfter = second.messageCount;
      if (second.messageCount >= first.messageCount) {
        advice.push(`${first.queue} does not drain (${first.messageCount} -> ${second.messageCount} in ${options.sampleMs} ms): raise poller.concurrency (now ${answers.poller.concurrency}) or replicas, or check that jobs do not all time out`);
      }
    }
  } catch (error) {
    queue = { error: describeError(error) };
    advice.push(`cannot read the queue: ${describeError(error)}`);
  }
  const state = await readSatelliteState(root, layout.stateFile).catch(() => null);
  return { satelliteId: answers.satellite.id, transport: answers.transport, ...(tunnel ? { tunnel } : {}), broker, queue, ...(state?.rotatedAt ? { rotatedAt: state.rotatedAt } : {}), advice };
}

/** Pure: the status for people. */
export function renderSatelliteStatus(status: SatelliteStatus): string {
  const lines = [`satellite ${status.satelliteId} (${status.transport})`];
  if (status.tunnel) {
    const t = status.tunnel;
    lines.push(`  tunnel     ${t.interface} ${t.up ? 'up' : 'DOWN'}, handshake ${t.handshakeAgeS === null ? 'never' : `${t.handshakeAgeS} s ago`}, rx ${t.rxBytes} B, tx ${t.txBytes} B`);
  }
  const b = status.broker;
  lines.push(`  broker     ${b.connected ? 'connected' : 'not connected'}${b.broker ? ` to ${b.broker}` : ''}, ${b.consuming ? 'consuming' : 'not consuming'}, reconnects ${b.reconnects}`);
  lines.push(`  jobs       ${b.inFlight} in flight, last at ${b.lastJobAt ?? 'never'}`);
  const q = status.queue;
  lines.push('error' in q ? `  queue      unknown (${q.error})` : `  queue      ${q.name}: ${q.depth} waiting, ${q.consumers} consumer(s)`);
  if (status.rotatedAt) lines.push(`  rotated    ${status.rotatedAt}`);
  for (const line of status.advice) lines.push(`  advice     ${line}`);
  return `${lines.join('\n')}\n`;
}
