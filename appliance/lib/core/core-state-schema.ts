import { z } from 'zod';
import { derivePublicKey } from '../../../provision/lib/wireguard/wg-keys.js';
import { parseTunnelSubnet, offsetOfAddress, type TunnelSubnet } from '../../../provision/lib/addressing/tunnel-subnet.js';
import { parseIpAddress } from '../../../provision/lib/addressing/ip-address.js';
import {
  absolutePathField,
  endpointField,
  hostField,
  hostnameField,
  portField,
  satelliteIdField,
  sha256FingerprintField,
  text,
  wireguardKeyField,
} from '../../../provision/lib/answers/answers-fields.js';
import { brokerUserName } from '../../../provision/lib/broker-users/satellite-identity.js';

export const CORE_STATE_VERSION = 1;

const timestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2025-01-31T12:00:00Z' });
const interfaceName = text().regex(/^[A-Za-z0-9_=+.-]{1,15}$/, 'must be a wg-quick interface name (1-15 of A-Z a-z 0-9 _ = + . -)');
/** A satellite's tunnel host address, without prefix, canonical. */
const tunnelAddress = text().refine((value) => canonicalIp(value) === value, { message: 'must be a canonical IP address without prefix, e.g. 10.77.0.2' });

const peerSection = z.strictObject({
  address: tunnelAddress,
  publicKey: wireguardKeyField,
  presharedKey: wireguardKeyField,
});

const clientCertSection = z.strictObject({
  serial: text().regex(/^[0-9A-F]{1,64}$/, 'must be the certificate serial number in upper-case hex'),
  sha256: sha256FingerprintField,
  notAfter: timestamp,
});

const rotationSection = z.strictObject({
  startedAt: timestamp,
  wireguard: peerSection.optional(),
  amqps: clientCertSection.optional(),
});

const satelliteRecord = z.strictObject({
  id: satelliteIdField,
  name: text().min(1).max(128).regex(/^[^\r\n]*$/, 'must be one line').optional(),
  createdAt: timestamp,
  rotatedAt: timestamp.optional(),
  /** Only when written somewhere other than satellites/<id>.yaml (`--out`): a host path. */
  enrollmentFile: absolutePathField.optional(),
  broker: z.strictObject({
    /** false: created with --no-broker; the user is the operator's business. */
    managed: z.boolean(),
    username: text().min(1).max(255),
    // Kept so a rotation can issue a complete enrollment file without changing the password under a running poller.
    password: text().regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be 16-128 characters of A-Z a-z 0-9 _ -'),
  }),
  wireguard: peerSection.optional(),
  amqps: clientCertSection.optional(),
  rotation: rotationSection.optional(),
});

const wireguardHub = z.strictObject({
  interface: interfaceName,
  subnet: text(),
  listenPort: portField,
  mtu: z.number().int().min(1280).max(9000),
  privateKey: wireguardKeyField,
  publicKey: wireguardKeyField,
  /** Addresses of removed satellites and finished rotations: never handed out again unless asked (--reuse-address). */
  retiredAddresses: z.array(tunnelAddress),
});

const amqpsHub = z.strictObject({
  serverName: hostnameField,
  /** Extra SAN / broker host the satellites dial, when not serverName. */
  brokerHost: hostField.optional(),
  caSha256: sha256FingerprintField,
});

const coreStateObject = z.strictObject({
  version: z.literal(CORE_STATE_VERSION, { error: `must be ${CORE_STATE_VERSION}` }),
  transport: z.enum(['wireguard', 'amqps']),
  /** host:port the satellites dial: the WireGuard endpoint, or the AMQPS listener. */
  endpoint: endpointField,
  broker: z.strictObject({ vhost: text().min(1).max(255).regex(/^[^\s\0]+$/, 'must not contain spaces or control characters') }),
  wireguard: wireguardHub.optional(),
  amqps: amqpsHub.optional(),
  satellites: z.array(satelliteRecord),
});

/** The core's state file (core.yaml): the single source the hub config and every enrollment file are rendered from. */
export const coreStateSchema = coreStateObject.superRefine((state, ctx) => checkConsistency(state, ctx));

export type CoreState = z.output<typeof coreStateSchema>;
export type SatelliteRecord = CoreState['satellites'][number];
export type PeerRecord = z.output<typeof peerSection>;
export type ClientCertRecord = z.output<typeof clientCertSection>;
export type Transport = CoreState['transport'];

/** Cross-field rules zod cannot say per field; each issue names the field it is about. */
function checkConsistency(s: z.output<typeof coreStateObject>, ctx: z.RefinementCtx): void {
  const other = s.transport === 'wireguard' ? 'amqps' : 'wireguard';
  if (s[s.transport] === undefined) ctx.addIssue({ code: 'custom', path: [s.transport], message: `required when transport is "${s.transport}"` });
  if (s[other] !== undefined) ctx.addIssue({ code: 'custom', path: [other], message: `must be absent when transport is "${s.transport}"` });
  let subnet: TunnelSubnet | undefined;
  if (s.wireguard !== undefined) {
    try {
      subnet = parseTunnelSubnet(s.wireguard.subnet);
      if (subnet.cidr !== s.wireguard.subnet) ctx.addIssue({ code: 'custom', path: ['wireguard', 'subnet'], message: `must be written ${subnet.cidr}` });
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['wireguard', 'subnet'], message: errorText(error) });
    }
    try {
      if (derivePublicKey(s.wireguard.privateKey) !== s.wireguard.publicKey) {
        ctx.addIssue({ code: 'custom', path: ['wireguard', 'publicKey'], message: 'does not belong to wireguard.privateKey' });
      }
    } catch {
      // privateKey already reported by its field check.
    }
  }
  const ids = new Map<string, number>();
  const addresses = new Map<string, string>();
  const keys = new Map<string, string>();
  const claim = (map: Map<string, string>, value: string, where: string, path: (string | number)[], what: string) => {
    const earlier = map.get(value);
    if (earlier !== undefined) ctx.addIssue({ code: 'custom', path, message: `${what} is also used by ${earlier}` });
    else map.set(value, where);
  };
  for (const [index, sat] of s.satellites.entries()) {
    const base = ['satellites', index];
    const where = `satellites.${index}`;
    const earlier = ids.get(sat.id);
    if (earlier !== undefined) ctx.addIssue({ code: 'custom', path: [...base, 'id'], message: `"${sat.id}" is also the id of satellites.${earlier}` });
    ids.set(sat.id, index);
    if (sat.broker.username !== brokerUserName(sat.id)) {
      ctx.addIssue({ code: 'custom', path: [...base, 'broker', 'username'], message: `must be ${brokerUserName(sat.id)}` });
    }
    if (sat[s.transport] === undefined) ctx.addIssue({ code: 'custom', path: [...base, s.transport], message: `required when transport is "${s.transport}"` });
    if (sat[other] !== undefined) ctx.addIssue({ code: 'custom', path: [...base, other], message: `must be absent when transport is "${s.transport}"` });
    if (sat.rotation !== undefined && sat.rotation[s.transport] === undefined) {
      ctx.addIssue({ code: 'custom', path: [...base, 'rotation', s.transport], message: `required when transport is "${s.transport}"` });
    }
    const peers: Array<[PeerRecord | undefined, (string | number)[]]> = [
      [sat.wireguard, [...base, 'wireguard']],
      [sat.rotation?.wireguard, [...base, 'rotation', 'wireguard']],
    ];
    for (const [peer, path] of peers) {
      if (peer === undefined) continue;
      if (subnet !== undefined) {
        try {
          if (offsetOfAddress(subnet, peer.address) < subnet.firstSatelliteOffset) {
            ctx.addIssue({ code: 'custom', path: [...path, 'address'], message: `${peer.address} is the hub's own address` });
          }
        } catch (error) {
          ctx.addIssue({ code: 'custom', path: [...path, 'address'], message: errorText(error) });
        }
      }
      if (s.wireguard?.retiredAddresses.includes(peer.address)) {
        ctx.addIssue({ code: 'custom', path: [...path, 'address'], message: `${peer.address} is also in wireguard.retiredAddresses` });
      }
      claim(addresses, peer.address, where, [...path, 'address'], peer.address);
      claim(keys, peer.publicKey, where, [...path, 'publicKey'], 'this public key');
    }
  }
  for (const [index, address] of (s.wireguard?.retiredAddresses ?? []).entries()) {
    if (subnet === undefined) break;
    try {
      offsetOfAddress(subnet, address);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['wireguard', 'retiredAddresses', index], message: errorText(error) });
    }
  }
}

function canonicalIp(value: string): string | undefined {
  try {
    return parseIpAddress(value).text;
  } catch {
    return undefined;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
