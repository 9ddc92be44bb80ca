/**
 * SNMP peers written in JS for tests, on 127.0.0.1 and a free UDP port.
 *
 * startSnmpAgent({ rows }): the net-snmp package's Agent (v1/v2c, community
 *   `agent.community`) serving
 *   - one scalar of every value type under AGENT_SCALARS (Integer, Counter32,
 *     Gauge32, TimeTicks, Counter64, IpAddress, ObjectIdentifier, binary /
 *     UTF-8 / empty OctetString, a read-write OctetString);
 *   - a table of `rows` rows (default 10,000) at AGENT_TABLE: columns
 *     1 group and 2 member (the two-part index), 3 name (OctetString "row-<n>"),
 *     4 octets (Counter64). Walk a column with `agent.columnOid(3)`.
 *   The index has two parts of at most 100 values per level because net-snmp's
 *   Agent sorts a node's children on every GetNext: a flat 10,000-row index
 *   makes it take ~15 s per walk, the two-level one ~0.4 s.
 *
 * startHostileAgent(mode): a raw dgram socket that misbehaves:
 *   - 'silent': never answers;
 *   - 'garbage': answers each request with undecodable datagrams only;
 *   - 'non-increasing': answers v1/v2c requests with OIDs that go backwards
 *     (GetBulk: root.1, root.2, root.1; GetNext: always root.1; Get: root.1).
 *   `received` counts datagrams, so a test can see that requests arrived.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import snmp from 'net-snmp';
import { pickFreeUdpPort } from './snmpd.js';

export const AGENT_BASE = '1.3.6.1.4.1.99999';
export const AGENT_SCALARS = {
  integer: `${AGENT_BASE}.1.1.0`,
  counter32: `${AGENT_BASE}.1.2.0`,
  gauge32: `${AGENT_BASE}.1.3.0`,
  timeTicks: `${AGENT_BASE}.1.4.0`,
  counter64: `${AGENT_BASE}.1.5.0`,
  ipAddress: `${AGENT_BASE}.1.6.0`,
  objectIdentifier: `${AGENT_BASE}.1.7.0`,
  binaryString: `${AGENT_BASE}.1.8.0`,
  utf8String: `${AGENT_BASE}.1.9.0`,
  emptyString: `${AGENT_BASE}.1.10.0`,
  writableString: `${AGENT_BASE}.1.11.0`,
} as const;
/** The table entry: column c of row (g, m) is `${AGENT_TABLE}.${c}.${g}.${m}`. */
export const AGENT_TABLE = `${AGENT_BASE}.2.1`;
export const HOSTILE_ROOT = `${AGENT_BASE}.3`;

export interface SnmpAgentHandle {
  host: string;
  port: number;
  community: string;
  rows: number;
  columnOid(column: number): string;
  stop(): Promise<void>;
}

interface ScalarDef {
  key: keyof typeof AGENT_SCALARS;
  type: number;
  value: unknown;
  writable?: boolean;
}

const SCALARS: ScalarDef[] = [
  { key: 'integer', type: snmp.ObjectType.Integer!, value: -42 },
  { key: 'counter32', type: snmp.ObjectType.Counter!, value: 4294967295 },
  { key: 'gauge32', type: snmp.ObjectType.Gauge!, value: 1234 },
  { key: 'timeTicks', type: snmp.ObjectType.TimeTicks!, value: 987654 },
  { key: 'counter64', type: snmp.ObjectType.Counter64!, value: Buffer.from('ffffffffffffffff', 'hex') },
  { key: 'ipAddress', type: snmp.ObjectType.IpAddress!, value: '192.0.2.1' },
  { key: 'objectIdentifier', type: snmp.ObjectType.OID!, value: '1.3.6.1.4.1.99999.42' },
  { key: 'binaryString', type: snmp.ObjectType.OctetString!, value: Buffer.from('001a2bff', 'hex') },
  { key: 'utf8String', type: snmp.ObjectType.OctetString!, value: Buffer.from('Привет, мир', 'utf8') },
  { key: 'emptyString', type: snmp.ObjectType.OctetString!, value: Buffer.alloc(0) },
  { key: 'writableString', type: snmp.ObjectType.OctetString!, value: 'initial', writable: true },
];

export async function startSnmpAgent(options: { rows?: number } = {}): Promise<SnmpAgentHandle> {
  const rows = options.rows ?? 10_000;
  const port = await pickFreeUdpPort();
  const community = `agent-${randomBytes(6).toString('hex')}`;
  // Errors here are per packet (bad community, undecodable datagram): the agent keeps serving.
  const agent = snmp.createAgent({ port, address: '127.0.0.1', transport: 'udp4' }, () => {});
  agent.getAuthorizer().addCommunity(community);
  const mib = agent.getMib();
  const RO = snmp.MaxAccess['read-only']!;
  const RW = snmp.MaxAccess['read-write']!;

  for (const scalar of SCALARS) {
    mib.registerProvider({
      name: scalar.key,
      type: snmp.MibProviderType.Scalar!,
      oid: AGENT_SCALARS[scalar.key].slice(0, -2),
      scalarType: scalar.type,
      maxAccess: scalar.writable ? RW : RO,
    });
    mib.setScalarValue(scalar.key, scalar.value);
  }

  mib.registerProvider({
    name: 'bigTable',
    type: snmp.MibProviderType.Table!,
    oid: AGENT_TABLE,
    maxAccess: snmp.MaxAccess['not-accessible']!,
    tableColumns: [
      { number: 1, name: 'group', type: snmp.ObjectType.Integer!, maxAccess: RO },
      { number: 2, name: 'member', type: snmp.ObjectType.Integer!, maxAccess: RO },
      { number: 3, name: 'name', type: snmp.ObjectType.OctetString!, maxAccess: RO },
      { number: 4, name: 'octets', type: snmp.ObjectType.Counter64!, maxAccess: RO },
    ],
    tableIndex: [{ columnName: 'group' }, { columnName: 'member' }],
  });
  for (let i = 0; i < rows; i++) {
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(i) * 1_000_000_007n);
    mib.addTableRow('bigTable', [Math.floor(i / 100) + 1, (i % 100) + 1, `row-${i + 1}`, counter]);
  }

  return {
    host: '127.0.0.1',
    port,
    community,
    rows,
    columnOid: (column) => `${AGENT_TABLE}.${column}`,
    stop: () => new Promise<void>((resolve) => agent.close(() => resolve())),
  };
}

export type HostileMode = 'silent' | 'garbage' | 'non-increasing';

export interface HostileAgentHandle {
  host: string;
  port: number;
  readonly received: number;
  stop(): Promise<void>;
}

export async function startHostileAgent(mode: HostileMode): Promise<HostileAgentHandle> {
  const socket: Socket = createSocket('udp4');
  let received = 0;
  socket.on('error', () => {});
  socket.on('message', (msg, rinfo) => {
    received++;
    const send = (buf: Buffer) => socket.send(buf, rinfo.port, rinfo.address, () => {});
    if (mode === 'silent') return;
    if (mode === 'garbage') {
      send(randomBytes(64));
      send(Buffer.from('30820fff020101', 'hex')); // a SEQUENCE claiming 4095 bytes, cut short
      send(Buffer.from([0x30, 0x03, 0x02, 0x01])); // truncated INTEGER
      send(Buffer.alloc(0));
      return;
    }
    const request = decodeRequest(msg);
    if (request) send(encodeNonIncreasing(request));
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  return {
    host: '127.0.0.1',
    port,
    get received() {
      return received;
    },
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

// --- minimal BER, just enough for v1/v2c requests and responses ---

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(buf: Buffer, offset: number): Tlv | null {
  if (offset + 2 > buf.length) return null;
  const tag = buf[offset]!;
  let len = buf[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count < 1 || count > 3 || start + count > buf.length) return null;
    len = 0;
    for (let i = 0; i < count; i++) len = (len << 8) | buf[start + i]!;
    start += count;
  }
  if (start + len > buf.length) return null;
  return { tag, start, end: start + len };
}

interface DecodedRequest {
  version: number;
  community: Buffer;
  pduType: number;
  requestId: Buffer;
}

function decodeRequest(buf: Buffer): DecodedRequest | null {
  const message = readTlv(buf, 0);
  if (!message || message.tag !== 0x30) return null;
  const version = readTlv(buf, message.start);
  if (!version || version.tag !== 0x02) return null;
  const community = readTlv(buf, version.end);
  if (!community || community.tag !== 0x04) return null;
  const pdu = readTlv(buf, community.end);
  if (!pdu) return null;
  const requestId = readTlv(buf, pdu.start);
  if (!requestId || requestId.tag !== 0x02) return null;
  return {
    version: buf[version.start]!,
    community: buf.subarray(community.start, community.end),
    pduType: pdu.tag,
    requestId: buf.subarray(requestId.start, requestId.end),
  };
}

function tlv(tag: number, content: Buffer): Buffer {
  const len = content.length;
  const header = len < 0x80 ? Buffer.from([tag, len]) : len < 0x100 ? Buffer.from([tag, 0x81, len]) : Buffer.from([tag, 0x82, len >> 8, len & 0xff]);
  return Buffer.concat([header, content]);
}

function encodeOid(oid: string): Buffer {
  const parts = oid.split('.').map(Number);
  const bytes = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk = [part & 0x7f];
    let rest = part >>> 7;
    while (rest > 0) {
      chunk.unshift((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function encodeNonIncreasing(request: DecodedRequest): Buffer {
  const oids =
    request.pduType === 0xa5 ? [`${HOSTILE_ROOT}.1`, `${HOSTILE_ROOT}.2`, `${HOSTILE_ROOT}.1`] : [`${HOSTILE_ROOT}.1`];
  const varbinds = oids.map((oid, i) => tlv(0x30, Buffer.concat([encodeOid(oid), tlv(0x02, Buffer.from([i + 1]))])));
  const pdu = tlv(
    0xa2,
    Buffer.concat([tlv(0x02, request.requestId), tlv(0x02, Buffer.from([0])), tlv(0x02, Buffer.from([0])), tlv(0x30, Buffer.concat(varbinds))]),
  );
  return tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([request.version])), tlv(0x04, request.community), pdu]));
}
