import type { InterfaceState } from '../tunnel/wg-dump.js';
import type { CoreState } from './core-state-schema.js';

export interface SatelliteRow {
  id: string;
  name: string | null;
  address: string | null;
  transport: CoreState['transport'];
  created: string;
  lastRotated: string | null;
  /** ISO time of the latest handshake of any of its peers; null when none or the interface is down. */
  lastHandshake: string | null;
  rotation: { startedAt: string; address: string | null } | null;
}

/** One row per satellite; `running` is the hub interface as `wg show dump` sees it, or null when it is down. Pure. */
export function listSatelliteRows(state: CoreState, running: InterfaceState | null): SatelliteRow[] {
  const handshakes = new Map((running?.peers ?? []).map((peer) => [peer.publicKey, peer.latestHandshake]));
  return state.satellites.map((sat) => {
    const keys = [sat.wireguard?.publicKey, sat.rotation?.wireguard?.publicKey].filter((key): key is string => key !== undefined);
    const latest = Math.max(0, ...keys.map((key) => handshakes.get(key) ?? 0));
    return {
      id: sat.id,
      name: sat.name ?? null,
      address: sat.wireguard?.address ?? null,
      transport: state.transport,
      created: sat.createdAt,
      lastRotated: sat.rotatedAt ?? null,
      lastHandshake: latest > 0 ? new Date(latest * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') : null,
      rotation: sat.rotation ? { startedAt: sat.rotation.startedAt, address: sat.rotation.wireguard?.address ?? null } : null,
    };
  });
}

const HEADERS = ['ID', 'ADDRESS', 'TRANSPORT', 'CREATED', 'LAST ROTATED', 'LAST HANDSHAKE'];

/** The `core list` table. Handshake: time, "never" when the interface is up without one, "-" when it is down. Pure. */
export function renderSatelliteTable(rows: readonly SatelliteRow[], interfaceUp: boolean): string {
  if (rows.length === 0) return 'no satellites enrolled (add one with usm-appliance core add-satellite --id ID)\n';
  const cells = rows.map((row) => [
    row.id,
    `${row.address ?? '-'}${row.rotation ? ` -> ${row.rotation.address ?? 'new cert'} (rotating)` : ''}`,
    row.transport,
    row.created,
    row.lastRotated ?? '-',
    interfaceUp && row.transport === 'wireguard' ? (row.lastHandshake ?? 'never') : '-',
  ]);
  const widths = HEADERS.map((header, column) => Math.max(header.length, ...cells.map((line) => line[column]!.length)));
  const format = (line: readonly string[]) => line.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return `${[format(HEADERS), ...cells.map(format)].join('\n')}\n`;
}
