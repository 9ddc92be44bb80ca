import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { parseYamlWithSchema } from '../../../common/parse-yaml-document.js';
import { UsmError } from '../../../common/usm-error.js';
import { listZodProblems } from '../../../common/zod-problems.js';
import { CORE_STATE_PATH, hostPath } from './core-paths.js';
import { coreStateSchema, type CoreState, type SatelliteRecord } from './core-state-schema.js';

export const CORE_STATE_HEADER = [
  'usm-appliance core state. Generated file: `usm-appliance core ...` rewrites it.',
  'CONTAINS SECRETS (hub private key, preshared keys, broker passwords): keep it mode 0600, owned by root.',
  'Reference: docs/core.md',
];

/**
 * Reads core.yaml. Every problem at once, one line each, naming the field
 * path and its line in the file; secret values are never quoted back.
 */
export function parseCoreStateYaml(text: string, sourceName = 'core state'): CoreState {
  return parseYamlWithSchema(text, coreStateSchema, {
    code: 'E_CORE_STATE', sourceName, what: 'core state', emptyHint: '(root): expected a mapping with version, transport, endpoint, ...',
  });
}

/** Writes the state in a fixed key order. Validates first: a command can never write a state file it would reject. */
export function renderCoreStateYaml(state: CoreState): string {
  const result = coreStateSchema.safeParse(state);
  if (!result.success) {
    throw new UsmError('E_CORE_STATE', 'refusing to write an invalid core state', { problems: listZodProblems(result.error) });
  }
  const s = result.data;
  const doc = new YAML.Document({
    version: s.version,
    transport: s.transport,
    endpoint: s.endpoint,
    broker: { vhost: s.broker.vhost },
    ...(s.wireguard
      ? {
          wireguard: {
            interface: s.wireguard.interface,
            subnet: s.wireguard.subnet,
            listenPort: s.wireguard.listenPort,
            mtu: s.wireguard.mtu,
            publicKey: s.wireguard.publicKey,
            privateKey: s.wireguard.privateKey,
            retiredAddresses: [...s.wireguard.retiredAddresses],
          },
        }
      : {}),
    ...(s.amqps ? { amqps: compact({ serverName: s.amqps.serverName, brokerHost: s.amqps.brokerHost, caSha256: s.amqps.caSha256 }) } : {}),
    satellites: s.satellites.map(orderSatellite),
  });
  doc.commentBefore = CORE_STATE_HEADER.map((line) => ` ${line}`).join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** The state under --root, or null when the core was never initialised. */
export async function readCoreState(root: string): Promise<{ state: CoreState; text: string } | null> {
  const path = hostPath(root, CORE_STATE_PATH);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UsmError('E_CORE_STATE', `cannot read ${path}: ${(error as Error).message}`);
  }
  return { state: parseCoreStateYaml(text, path), text };
}

/** Like readCoreState, but a missing state is an error telling what to run first. */
export async function requireCoreState(root: string): Promise<CoreState> {
  const found = await readCoreState(root);
  if (found === null) {
    throw new UsmError('E_CORE_STATE', `${hostPath(root, CORE_STATE_PATH)} does not exist: run usm-appliance core init first`);
  }
  return found.state;
}

function orderSatellite(sat: SatelliteRecord): Record<string, unknown> {
  const cert = (c: NonNullable<SatelliteRecord['amqps']>) => ({ serial: c.serial, sha256: c.sha256, notAfter: c.notAfter });
  const peer = (p: NonNullable<SatelliteRecord['wireguard']>) => ({ address: p.address, publicKey: p.publicKey, presharedKey: p.presharedKey });
  return compact({
    id: sat.id,
    name: sat.name,
    createdAt: sat.createdAt,
    rotatedAt: sat.rotatedAt,
    enrollmentFile: sat.enrollmentFile,
    broker: { managed: sat.broker.managed, username: sat.broker.username, password: sat.broker.password },
    wireguard: sat.wireguard ? peer(sat.wireguard) : undefined,
    amqps: sat.amqps ? cert(sat.amqps) : undefined,
    rotation: sat.rotation
      ? compact({
          startedAt: sat.rotation.startedAt,
          wireguard: sat.rotation.wireguard ? peer(sat.rotation.wireguard) : undefined,
          amqps: sat.rotation.amqps ? cert(sat.rotation.amqps) : undefined,
        })
      : undefined,
  });
}

function compact(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}
