import { createSocket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsmError } from '../../../common/usm-error.js';
import { bringTunnelDown, bringTunnelUp, readInterface, type TunnelDeps, type TunnelImplementation } from '../tunnel/wg-interface.js';
import { handshakeAgeSeconds, type PeerState } from '../tunnel/wg-dump.js';

export interface TunnelTarget {
  /** wg-quick config on this machine (<root>/etc/wireguard/usm0.conf). */
  configHostPath: string;
  interfaceName: string;
  corePublicKey: string;
  coreAddress: string;
  coreEndpoint: string;
}

/** Brings the interface up from the file, replacing a running one (wg-quick cannot change addresses in place). */
export async function restartTunnel(target: TunnelTarget, deps: TunnelDeps = {}): Promise<TunnelImplementation> {
  if ((await readInterface(target.interfaceName, deps)) !== null) await bringTunnelDown(target.configHostPath, deps);
  return bringTunnelUp(target.configHostPath, deps);
}

/**
 * Waits for a handshake with the core newer than `sinceMs`. A datagram to the
 * core's discard port makes WireGuard start one at once even without a
 * keepalive; it goes through the tunnel only, to the core's tunnel address.
 */
export async function waitForHandshake(target: TunnelTarget, sinceMs: number, timeoutMs: number, deps: TunnelDeps = {}): Promise<PeerState> {
  const deadline = Date.now() + timeoutMs;
  let nudged = 0;
  while (Date.now() < deadline) {
    const state = await readInterface(target.interfaceName, deps);
    const peer = state?.peers.find((p) => p.publicKey === target.corePublicKey);
    if (peer?.latestHandshake != null && peer.latestHandshake >= Math.floor(sinceMs / 1000)) return peer;
    if (Date.now() - nudged > 2_000) {
      nudged = Date.now();
      await nudge(target.coreAddress);
    }
    await sleep(200);
  }
  throw new UsmError(
    'E_HANDSHAKE',
    `no WireGuard handshake with the core (${target.coreEndpoint}) within ${Math.round(timeoutMs / 1000)} s`,
    {
      problems: [
        `check that UDP reaches ${target.coreEndpoint} from here (firewalls, NAT)`,
        'check that the core runs its tunnel (usm-appliance core up) and has this satellite enrolled (usm-appliance core list)',
        'the enrollment file may be outdated (rotated or removed on the core): ask the core for a new one',
      ],
    },
  );
}

export function describePeer(peer: PeerState | undefined): string {
  if (!peer) return 'no peer';
  const age = handshakeAgeSeconds(peer);
  return `${age === null ? 'no handshake yet' : `handshake ${age} s ago`}, rx ${peer.rxBytes} B, tx ${peer.txBytes} B`;
}

async function nudge(address: string): Promise<void> {
  const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.send(Buffer.from('usm-appliance handshake'), 9, address, () => resolve()));
  socket.close();
}
