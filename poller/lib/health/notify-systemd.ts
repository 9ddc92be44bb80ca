import { execa } from 'execa';
import type { Logger } from '../../../common/logger.js';

/**
 * Tells systemd (Type=notify, NotifyAccess=all) that the poller is ready,
 * i.e. connected and consuming. Node has no AF_UNIX datagram sockets, so the
 * systemd-notify tool sends it on our behalf, naming our pid.
 */
export async function notifySystemdReady(env: Record<string, string | undefined>, log: Logger): Promise<void> {
  if (!env.NOTIFY_SOCKET) return;
  try {
    await execa('systemd-notify', ['--ready', `--pid=${process.pid}`, '--status=connected and consuming'], { timeout: 5_000, extendEnv: false, env: { NOTIFY_SOCKET: env.NOTIFY_SOCKET, PATH: env.PATH ?? '/usr/bin:/bin' } });
  } catch (error) {
    log.warn({ err: (error as Error).message }, 'systemd-notify failed');
  }
}
