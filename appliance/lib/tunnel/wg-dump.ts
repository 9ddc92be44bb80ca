/** One peer as `wg show <if> dump` reports it. */
export interface PeerState {
  publicKey: string;
  endpoint: string | null;
  allowedIps: string[];
  /** Epoch seconds of the latest handshake, or null when there was none. */
  latestHandshake: number | null;
  rxBytes: number;
  txBytes: number;
}

export interface InterfaceState {
  publicKey: string;
  listenPort: number;
  peers: PeerState[];
}

/**
 * Pure parser of `wg show <if> dump`: the first line is the interface
 * (private key, public key, port, fwmark), then one line per peer (public key,
 * preshared key, endpoint, allowed ips, handshake, rx, tx, keepalive). The
 * private and preshared keys are dropped here so they cannot travel further.
 */
export function parseWgDump(text: string): InterfaceState {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const head = lines[0]?.split('\t');
  if (!head || head.length < 3) throw new Error('wg dump: no interface line');
  const peers = lines.slice(1).map((line, index): PeerState => {
    const cols = line.split('\t');
    if (cols.length < 8) throw new Error(`wg dump: peer line ${index + 2} has ${cols.length} fields, expected 8`);
    const handshake = Number(cols[4]);
    return {
      publicKey: cols[0]!,
      endpoint: cols[2] === '(none)' ? null : cols[2]!,
      allowedIps: cols[3] === '(none)' ? [] : cols[3]!.split(','),
      latestHandshake: handshake > 0 ? handshake : null,
      rxBytes: Number(cols[5]),
      txBytes: Number(cols[6]),
    };
  });
  return { publicKey: head[1]!, listenPort: Number(head[2]), peers };
}

/** Seconds since the peer's latest handshake, or null when there was none. Pure. */
export function handshakeAgeSeconds(peer: PeerState, nowMs = Date.now()): number | null {
  return peer.latestHandshake === null ? null : Math.max(0, Math.round(nowMs / 1000 - peer.latestHandshake));
}
