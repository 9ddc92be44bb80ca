import { UsmError } from '../../../common/usm-error.js';
import { parseCidr } from '../addressing/cidr.js';
import { parseEndpoint, formatEndpoint } from './endpoint.js';
import { isWireguardKey } from './wg-keys.js';
import { SATELLITE_COMMENT_PREFIX, type WgInterfaceSection, type WgPeerSection, type WgQuickConfig } from './wg-quick-config.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] | undefined ? U[] | Extract<T[K], undefined> : T[K] };
type Section =
  | { kind: 'interface'; line: number; seen: Set<string>; data: Partial<Mutable<WgInterfaceSection>> }
  | { kind: 'peer'; line: number; seen: Set<string>; data: Partial<Mutable<WgPeerSection>> }
  | { kind: 'unknown'; line: number };

const SATELLITE_COMMENT = new RegExp(`^#\\s*${SATELLITE_COMMENT_PREFIX}\\s*(\\S+)\\s*$`, 'i');

/**
 * Reads a wg-quick file back into data. Tolerant where wg-quick is (blank
 * lines, comments, any letter case for keys and section names, spaces around
 * "="); strict where a mistake would silently break the tunnel (bad keys,
 * addresses, ports, unknown keys, duplicates). Every problem names its line;
 * all problems are reported at once. Never echoes key material.
 */
export function parseWgQuickConfig(text: string, sourceName = 'wg-quick config'): WgQuickConfig {
  const problems: string[] = [];
  const header: string[] = [];
  const sections: Section[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const lineNo = index + 1;
    const line = raw.trim();
    const current = sections.at(-1);
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (current === undefined) header.push(line.replace(/^#\s?/, ''));
      const match = SATELLITE_COMMENT.exec(line);
      if (match && current?.kind === 'peer') {
        if (current.data.satelliteId !== undefined) problems.push(`line ${lineNo}: second "# ${SATELLITE_COMMENT_PREFIX}" comment in one [Peer]`);
        else current.data.satelliteId = match[1];
      }
      continue;
    }
    // wg-quick drops everything after "#" on any line; do the same.
    const content = line.replace(/#.*$/, '').trim();
    const sectionMatch = /^\[(\w+)\]$/.exec(content);
    if (sectionMatch) {
      const name = (sectionMatch[1] ?? '').toLowerCase();
      if (name === 'interface') {
        if (sections.some((section) => section.kind === 'interface')) problems.push(`line ${lineNo}: second [Interface] section`);
        sections.push({ kind: 'interface', line: lineNo, seen: new Set(), data: {} });
      } else if (name === 'peer') {
        sections.push({ kind: 'peer', line: lineNo, seen: new Set(), data: {} });
      } else {
        problems.push(`line ${lineNo}: unknown section [${sectionMatch[1]}] (expected [Interface] or [Peer])`);
        // Its keys are not checked: the section itself is already the problem.
        sections.push({ kind: 'unknown', line: lineNo });
      }
      continue;
    }
    const equals = content.indexOf('=');
    if (equals < 0) {
      problems.push(`line ${lineNo}: expected "Key = value" or a [Section] header`);
      continue;
    }
    const key = content.slice(0, equals).trim();
    const value = content.slice(equals + 1).trim();
    if (current === undefined) {
      problems.push(`line ${lineNo}: "${key}" appears before any [Interface] or [Peer] section`);
      continue;
    }
    if (current.kind === 'unknown') continue;
    // Remembered even when the value is bad, so a bad key is not also reported as a missing one.
    current.seen.add(key.toLowerCase());
    const problem = current.kind === 'interface' ? setInterfaceKey(current.data, key, value) : setPeerKey(current.data, key, value);
    if (problem !== undefined) problems.push(`line ${lineNo}: ${problem}`);
  }
  const iface = sections.find((section) => section.kind === 'interface');
  if (iface === undefined) problems.push('no [Interface] section');
  else if (!iface.seen.has('privatekey')) problems.push(`line ${iface.line}: [Interface] has no PrivateKey`);
  else if (sections[0] !== iface) problems.push(`line ${iface.line}: [Interface] must come before every [Peer]`);
  const peers: WgPeerSection[] = [];
  const seenKeys = new Map<string, number>();
  for (const section of sections) {
    if (section.kind !== 'peer') continue;
    const { publicKey } = section.data;
    if (publicKey === undefined) {
      if (!section.seen.has('publickey')) problems.push(`line ${section.line}: [Peer] has no PublicKey`);
      continue;
    }
    const earlier = seenKeys.get(publicKey);
    if (earlier !== undefined) problems.push(`line ${section.line}: [Peer] repeats the PublicKey of the [Peer] at line ${earlier}`);
    seenKeys.set(publicKey, section.line);
    peers.push({ ...section.data, publicKey, allowedIps: section.data.allowedIps ?? [] });
  }
  if (problems.length > 0 || iface === undefined) {
    throw new UsmError('E_WIREGUARD', `${sourceName}: invalid WireGuard configuration`, { problems });
  }
  const privateKey = iface.data.privateKey ?? '';
  return {
    ...(header.length > 0 ? { header } : {}),
    interface: { ...iface.data, addresses: iface.data.addresses ?? [], privateKey },
    peers,
  };
}

function setInterfaceKey(data: Partial<Mutable<WgInterfaceSection>>, key: string, value: string): string | undefined {
  switch (key.toLowerCase()) {
    case 'address':
      return appendList(data, 'addresses', value, (item) => checkCidr(item, 'Address'));
    case 'listenport':
      return once(data, 'listenPort', key, () => parseIntIn(value, 'ListenPort', 1, 65535));
    case 'privatekey':
      return once(data, 'privateKey', key, () => checkKey(value, 'PrivateKey'));
    case 'mtu':
      return once(data, 'mtu', key, () => parseIntIn(value, 'MTU', 576, 65535));
    case 'fwmark':
      return once(data, 'fwMark', key, () => (/^(off|0x[0-9a-f]{1,8}|\d{1,10})$/i.test(value) ? value : fail('FwMark must be a number, hex number or "off"')));
    case 'table':
      return once(data, 'table', key, () => (/^[\w-]+$/.test(value) ? value : fail('Table must be "off", "auto" or a table name/number')));
    case 'dns':
      return appendList(data, 'dns', value, (item) => item);
    case 'preup':
    case 'postup':
    case 'predown':
    case 'postdown': {
      const field = ({ preup: 'preUp', postup: 'postUp', predown: 'preDown', postdown: 'postDown' } as const)[key.toLowerCase() as 'preup'];
      (data[field] ??= []).push(value);
      return undefined;
    }
    default:
      return `unknown key "${key}" in [Interface]`;
  }
}

function setPeerKey(data: Partial<Mutable<WgPeerSection>>, key: string, value: string): string | undefined {
  switch (key.toLowerCase()) {
    case 'publickey':
      return once(data, 'publicKey', key, () => checkKey(value, 'PublicKey'));
    case 'presharedkey':
      return once(data, 'presharedKey', key, () => checkKey(value, 'PresharedKey'));
    case 'allowedips':
      return appendList(data, 'allowedIps', value, (item) => checkCidr(item, 'AllowedIPs'));
    case 'endpoint':
      return once(data, 'endpoint', key, () => {
        try {
          return formatEndpoint(parseEndpoint(value));
        } catch (error) {
          return fail(error instanceof Error ? error.message : String(error));
        }
      });
    case 'persistentkeepalive':
      return once(data, 'persistentKeepalive', key, () => (value.toLowerCase() === 'off' ? 0 : parseIntIn(value, 'PersistentKeepalive', 0, 65535)));
    default:
      return `unknown key "${key}" in [Peer]`;
  }
}

class FieldProblem extends Error {}

function fail(message: string): never {
  throw new FieldProblem(message);
}

function once<T extends object, K extends keyof T>(data: T, field: K, key: string, read: () => T[K]): string | undefined {
  if (data[field] !== undefined) return `"${key}" is set twice in one section`;
  try {
    data[field] = read();
    return undefined;
  } catch (error) {
    if (error instanceof FieldProblem) return error.message;
    throw error;
  }
}

function appendList<T extends object, K extends keyof T>(data: T, field: K, value: string, check: (item: string) => string): string | undefined {
  const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  try {
    const checked = items.map(check);
    const list = ((data[field] as string[] | undefined) ?? []).concat(checked);
    data[field] = list as T[K];
    return undefined;
  } catch (error) {
    if (error instanceof FieldProblem) return error.message;
    throw error;
  }
}

function checkKey(value: string, what: string): string {
  return isWireguardKey(value) ? value : fail(`${what} is not a WireGuard key (expected 44 base64 characters encoding 32 bytes)`);
}

function checkCidr(value: string, what: string): string {
  try {
    // wg accepts a bare address as a host route; keep the text as written once it is valid.
    parseCidr(value, what, { defaultHostPrefix: true });
    return value;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

function parseIntIn(value: string, what: string, min: number, max: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) fail(`${what} must be an integer ${min}-${max}, got "${value}"`);
  return number;
}
