import { UsmError } from '../../../common/usm-error.js';

/**
 * A wg-quick configuration file as data. Field order here is the render
 * order, so output is stable whatever order the caller built objects in.
 */
export interface WgInterfaceSection {
  /** CIDRs, e.g. ["10.77.0.1/24"]. */
  readonly addresses: readonly string[];
  readonly listenPort?: number;
  readonly privateKey: string;
  readonly mtu?: number;
  readonly fwMark?: string;
  readonly table?: string;
  readonly dns?: readonly string[];
  readonly preUp?: readonly string[];
  readonly postUp?: readonly string[];
  readonly preDown?: readonly string[];
  readonly postDown?: readonly string[];
}

export interface WgPeerSection {
  /** Written as `# usm-satellite: <id>` so the hub file says which peer is which satellite. */
  readonly satelliteId?: string;
  readonly publicKey: string;
  readonly presharedKey?: string;
  readonly allowedIps: readonly string[];
  /** `host:port`, IPv6 hosts in brackets. */
  readonly endpoint?: string;
  readonly persistentKeepalive?: number;
}

export interface WgQuickConfig {
  /** Comment lines at the top of the file, without the leading "# ". */
  readonly header?: readonly string[];
  readonly interface: WgInterfaceSection;
  readonly peers: readonly WgPeerSection[];
}

export const SATELLITE_COMMENT_PREFIX = 'usm-satellite:';

/** Renders a wg-quick file: header comments, [Interface], then the peers in the given order. */
export function renderWgQuickConfig(config: WgQuickConfig): string {
  const lines: string[] = (config.header ?? []).map(renderComment);
  const iface = config.interface;
  if (lines.length > 0) lines.push('');
  lines.push('[Interface]');
  push(lines, 'Address', iface.addresses.length > 0 ? iface.addresses.join(', ') : undefined);
  push(lines, 'ListenPort', iface.listenPort);
  push(lines, 'PrivateKey', iface.privateKey);
  push(lines, 'MTU', iface.mtu);
  push(lines, 'FwMark', iface.fwMark);
  push(lines, 'Table', iface.table);
  push(lines, 'DNS', iface.dns && iface.dns.length > 0 ? iface.dns.join(', ') : undefined);
  for (const [key, commands] of [
    ['PreUp', iface.preUp],
    ['PostUp', iface.postUp],
    ['PreDown', iface.preDown],
    ['PostDown', iface.postDown],
  ] as const) {
    for (const command of commands ?? []) push(lines, key, command);
  }
  for (const peer of config.peers) lines.push('', ...renderPeer(peer, true));
  return `${lines.join('\n')}\n`;
}

/**
 * Renders the `wg setconf`/`wg syncconf` form: only what the kernel interface
 * knows (no Address, MTU, DNS, Table or hooks, which are wg-quick's), so a
 * running interface can be updated without dropping sessions.
 */
export function renderWgSyncConfig(config: WgQuickConfig): string {
  const lines: string[] = ['[Interface]'];
  push(lines, 'ListenPort', config.interface.listenPort);
  push(lines, 'PrivateKey', config.interface.privateKey);
  push(lines, 'FwMark', config.interface.fwMark);
  for (const peer of config.peers) lines.push('', ...renderPeer(peer, false));
  return `${lines.join('\n')}\n`;
}

function renderPeer(peer: WgPeerSection, withComment: boolean): string[] {
  const lines = ['[Peer]'];
  if (withComment && peer.satelliteId !== undefined) lines.push(`# ${SATELLITE_COMMENT_PREFIX} ${peer.satelliteId}`);
  push(lines, 'PublicKey', peer.publicKey);
  push(lines, 'PresharedKey', peer.presharedKey);
  push(lines, 'AllowedIPs', peer.allowedIps.length > 0 ? peer.allowedIps.join(', ') : undefined);
  push(lines, 'Endpoint', peer.endpoint);
  push(lines, 'PersistentKeepalive', peer.persistentKeepalive);
  return lines;
}

function push(lines: string[], key: string, value: string | number | undefined): void {
  if (value === undefined) return;
  assertOneLine(String(value), key);
  lines.push(`${key} = ${value}`);
}

function renderComment(text: string): string {
  assertOneLine(text, 'header comment');
  return text === '' ? '#' : `# ${text}`;
}

// A line break inside a value would smuggle extra keys or sections into the file.
function assertOneLine(value: string, what: string): void {
  if (/[\r\n]/.test(value)) throw new UsmError('E_WIREGUARD', `${what}: value must not contain a line break`);
}
