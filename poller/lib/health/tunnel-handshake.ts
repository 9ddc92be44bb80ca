import { execa } from 'execa';
import type { Logger } from '../../../common/logger.js';

export const HANDSHAKE_REFRESH_MS = 15_000;

/** Pure: newest handshake age in seconds from `wg show <if> latest-handshakes` output, or null when none. */
export function parseHandshakeAge(output: string, nowMs: number): number | null {
  let newest = 0;
  for (const line of output.split('\n')) {
    const seconds = Number(line.trim().split(/\s+/)[1]);
    if (Number.isFinite(seconds) && seconds > newest) newest = seconds;
  }
  return newest > 0 ? Math.max(0, Math.round(nowMs / 1000 - newest)) : null;
}

/**
 * Keeps the tunnel handshake age fresh for the metrics. Reading WireGuard
 * needs CAP_NET_ADMIN (or root for wireguard-go's socket), which the sandboxed
 * unit does not give the poller: then the metric is simply absent and one
 * debug line says why. Under `usm-appliance run` (root) it works.
 */
export function watchTunnelHandshake(ifname: string, report: (ageSeconds: number | null) => void, log: Logger): { stop(): void } {
  let told = false;
  const refresh = async () => {
    try {
      const { stdout } = await execa('wg', ['show', ifname, 'latest-handshakes'], { timeout: 5_000, extendEnv: false, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
      report(parseHandshakeAge(stdout, Date.now()));
    } catch (error) {
      report(null);
      if (!told) log.debug({ ifname, err: (error as Error).message.split('\n')[0] }, 'cannot read the tunnel handshake (needs CAP_NET_ADMIN); metric left out');
      told = true;
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), HANDSHAKE_REFRESH_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
