import { resolve } from 'node:path';
import { allocateSatelliteAddress } from '../../../provision/lib/addressing/address-pool.js';
import { compareSatelliteIds } from '../../../provision/lib/answers/satellite-id.js';
import { planSatelliteBrokerUser } from '../../../provision/lib/broker-users/satellite-broker-user.js';
import { generateKeyPair, generatePresharedKey } from '../../../provision/lib/wireguard/wg-keys.js';
import { renderWgQuickConfig } from '../../../provision/lib/wireguard/wg-quick-config.js';
import { UsmError } from '../../../common/usm-error.js';
import type { InterfaceState } from '../tunnel/wg-dump.js';
import { loadPinnedCa, issueSatelliteCertificate } from './amqps-material.js';
import { CORE_STATE_PATH, defaultEnrollmentPath, hostPath, hubConfigPath } from './core-paths.js';
import { emptyPlan, type CorePlan } from './core-plan.js';
import { renderCoreStateYaml } from './core-state-file.js';
import type { CoreState, PeerRecord, SatelliteRecord } from './core-state-schema.js';
import { renderEnrollment, type EnrollmentSecrets } from './enrollment.js';
import { buildHubFromState, poolOf, rotationPoolKey, subnetOf } from './hub-from-state.js';

export interface AddSatelliteOptions {
  id: string;
  name?: string;
  /** Host path for the enrollment file instead of satellites/<id>.yaml under --root. */
  out?: string;
  noBroker: boolean;
  reuseAddress: boolean;
}

/** ISO 8601 to the second, UTC: what the state and enrollment files record. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function planAddSatellite(root: string, state: CoreState, options: AddSatelliteOptions, now: Date): Promise<CorePlan> {
  const existing = state.satellites.find((sat) => sat.id === options.id);
  if (existing) throw new UsmError('E_USAGE', `--id: satellite "${options.id}" already exists (added ${existing.createdAt}); remove it first or pick another id`);
  const user = planSatelliteBrokerUser({ satelliteId: options.id, vhost: state.broker.vhost });
  const record: SatelliteRecord = {
    id: options.id,
    ...(options.name === undefined ? {} : { name: options.name }),
    createdAt: isoSeconds(now),
    ...(options.out === undefined ? {} : { enrollmentFile: resolve(options.out) }),
    broker: { managed: !options.noBroker, username: user.user, password: user.password },
  };
  let next: CoreState;
  let secrets: EnrollmentSecrets;
  if (state.transport === 'wireguard') {
    const issued = issuePeer(state, options.id, options.reuseAddress);
    record.wireguard = issued.peer;
    next = withRetired({ ...state, satellites: sortSatellites([...state.satellites, record]) }, issued.retired);
    secrets = { transport: 'wireguard', address: issued.peer.address, privateKey: issued.privateKey, presharedKey: issued.peer.presharedKey };
  } else {
    const ca = await loadPinnedCa(root, state);
    const cert = await issueSatelliteCertificate(ca, options.id);
    record.amqps = cert.record;
    next = { ...state, satellites: sortSatellites([...state.satellites, record]) };
    secrets = { transport: 'amqps', caPem: ca.certPem, certPem: cert.certPem, keyPem: cert.keyPem };
  }
  const plan = basePlan(next);
  addEnrollmentFile(plan, record, renderEnrollment(next, record, secrets, isoSeconds(now)));
  if (!options.noBroker) {
    // add_user (undone by deleting the user), then every grant (set_permissions, set_topic_permissions): they go with the user.
    const [addUser, ...grants] = user.rabbitmqctl;
    plan.broker.push({ command: addUser!, undo: user.rabbitmqctlRemove }, ...grants.map((command) => ({ command, undo: [] })));
  }
  plan.summary.unshift(
    `satellite ${options.id} added: ${record.wireguard ? `tunnel address ${record.wireguard.address}` : `client certificate ${record.amqps?.serial ?? ''}`}`,
    `broker user: ${user.user} in vhost ${state.broker.vhost}${options.noBroker ? ' (NOT created: --no-broker; create it yourself)' : ''}`,
    `enrollment file: ${enrollmentHostPath(root, record)} (secret: copy it to the satellite over a secure channel, then delete it)`,
    `on the satellite: usm-appliance setup --answers ${record.id}.yaml`,
  );
  return plan;
}

export interface RemoveSatelliteOptions {
  id: string;
  keepBrokerUser: boolean;
}

export function planRemoveSatellite(root: string, state: CoreState, options: RemoveSatelliteOptions): CorePlan {
  const sat = findSatellite(state, options.id);
  const retired = [sat.wireguard?.address, sat.rotation?.wireguard?.address].filter((a): a is string => a !== undefined);
  const next = withRetired({ ...state, satellites: state.satellites.filter((item) => item !== sat) }, [...(state.wireguard?.retiredAddresses ?? []), ...retired]);
  const plan = basePlan(next);
  plan.deletions.push({ path: defaultEnrollmentPath(sat.id), external: false });
  if (sat.enrollmentFile !== undefined) plan.deletions.push({ path: sat.enrollmentFile, external: true });
  if (sat.broker.managed && !options.keepBrokerUser) {
    // The state keeps the password, so a failed later step can put the user back exactly.
    const user = planSatelliteBrokerUser({ satelliteId: sat.id, vhost: state.broker.vhost, password: sat.broker.password });
    plan.broker.push({ command: user.rabbitmqctlRemove[0]!, undo: user.rabbitmqctl, okIfMissing: true });
  }
  plan.summary.unshift(
    `satellite ${sat.id} removed${retired.length > 0 ? `; address ${retired.join(', ')} retired (not reused unless --reuse-address)` : ''}`,
    `broker user ${sat.broker.username}: ${!sat.broker.managed ? 'not managed here (added with --no-broker)' : options.keepBrokerUser ? 'kept (--keep-broker-user)' : 'deleted'}`,
  );
  return plan;
}

export interface RotateOptions {
  id: string;
  out?: string;
}

/** Rotation, first half: a new peer (or certificate) next to the old one and a new enrollment file. */
export async function planRotationStart(root: string, state: CoreState, options: RotateOptions, now: Date): Promise<CorePlan> {
  const sat = findSatellite(state, options.id);
  if (sat.rotation) {
    throw new UsmError('E_USAGE', `--id: satellite "${sat.id}" has a rotation pending since ${sat.rotation.startedAt}; finish it with --finish or drop it with --cancel`);
  }
  const updated: SatelliteRecord = { ...sat, ...(options.out === undefined ? {} : { enrollmentFile: resolve(options.out) }) };
  let next: CoreState;
  let secrets: EnrollmentSecrets;
  if (state.transport === 'wireguard') {
    const issued = issuePeer(state, rotationPoolKey(sat.id), false);
    updated.rotation = { startedAt: isoSeconds(now), wireguard: issued.peer };
    next = withRetired(replaceSatellite(state, updated), issued.retired);
    secrets = { transport: 'wireguard', address: issued.peer.address, privateKey: issued.privateKey, presharedKey: issued.peer.presharedKey };
  } else {
    const ca = await loadPinnedCa(root, state);
    const cert = await issueSatelliteCertificate(ca, sat.id);
    updated.rotation = { startedAt: isoSeconds(now), amqps: cert.record };
    next = replaceSatellite(state, updated);
    secrets = { transport: 'amqps', caPem: ca.certPem, certPem: cert.certPem, keyPem: cert.keyPem };
  }
  const plan = basePlan(next);
  addEnrollmentFile(plan, updated, renderEnrollment(next, updated, secrets, isoSeconds(now)));
  plan.summary.unshift(
    `rotation of satellite ${sat.id} started${updated.rotation.wireguard ? `: new peer at ${updated.rotation.wireguard.address} next to ${sat.wireguard?.address ?? '?'}` : ': new client certificate'}`,
    `new enrollment file: ${enrollmentHostPath(root, updated)}`,
    `on the satellite: usm-appliance rotate --answers ${sat.id}.yaml; then here: usm-appliance core rotate-satellite --id ${sat.id} --finish`,
  );
  return plan;
}

/** Rotation, second half: the new peer replaces the old one once it has shaken hands (or --force). */
export function planRotationFinish(state: CoreState, id: string, running: InterfaceState | null, force: boolean, now: Date): CorePlan {
  const sat = findSatellite(state, id);
  const rotation = requireRotation(sat);
  const retired: string[] = [];
  if (rotation.wireguard) {
    const peer = running?.peers.find((item) => item.publicKey === rotation.wireguard!.publicKey);
    if (!peer?.latestHandshake && !force) {
      const why = running === null ? `interface ${state.wireguard?.interface ?? '?'} is not up, so no handshake can be seen` : 'no handshake from it yet';
      throw new UsmError(
        'E_ROTATION',
        `satellite "${sat.id}": the new peer (${rotation.wireguard.address}) has not shaken hands (${why}); run usm-appliance rotate --answers <file> on the satellite first, or finish with --force to drop the old peer anyway`,
      );
    }
    if (sat.wireguard) retired.push(sat.wireguard.address);
  }
  const { rotation: _done, ...rest } = sat;
  const updated: SatelliteRecord = {
    ...rest,
    rotatedAt: isoSeconds(now),
    ...(rotation.wireguard ? { wireguard: rotation.wireguard } : {}),
    ...(rotation.amqps ? { amqps: rotation.amqps } : {}),
  };
  const next = withRetired(replaceSatellite(state, updated), [...(state.wireguard?.retiredAddresses ?? []), ...retired]);
  const plan = basePlan(next);
  plan.summary.unshift(
    `rotation of satellite ${sat.id} finished${retired.length > 0 ? `: old peer removed, address ${retired.join(', ')} retired` : ''}`,
    ...(rotation.amqps ? ['the old client certificate stays valid until it expires (no CRL); the broker password is unchanged'] : []),
  );
  return plan;
}

/** Drops a pending rotation: the new peer goes, its address is retired, its enrollment file deleted. */
export function planRotationCancel(state: CoreState, id: string): CorePlan {
  const sat = findSatellite(state, id);
  const rotation = requireRotation(sat);
  const { rotation: _dropped, ...rest } = sat;
  const retired = rotation.wireguard ? [rotation.wireguard.address] : [];
  const next = withRetired(replaceSatellite(state, rest), [...(state.wireguard?.retiredAddresses ?? []), ...retired]);
  const plan = basePlan(next);
  plan.deletions.push({ path: defaultEnrollmentPath(sat.id), external: false });
  if (sat.enrollmentFile !== undefined) plan.deletions.push({ path: sat.enrollmentFile, external: true });
  plan.summary.unshift(`rotation of satellite ${sat.id} cancelled; the old credentials stay in use`);
  return plan;
}

export function findSatellite(state: CoreState, id: string): SatelliteRecord {
  const sat = state.satellites.find((item) => item.id === id);
  if (sat) return sat;
  const known = state.satellites.map((item) => item.id);
  throw new UsmError('E_USAGE', `--id: no satellite "${id}" (${known.length === 0 ? 'none enrolled' : `enrolled: ${known.join(', ')}`})`);
}

function requireRotation(sat: SatelliteRecord): NonNullable<SatelliteRecord['rotation']> {
  if (sat.rotation) return sat.rotation;
  throw new UsmError('E_USAGE', `--id: satellite "${sat.id}" has no rotation pending; start one with usm-appliance core rotate-satellite --id ${sat.id}`);
}

/** A fresh key pair, PSK and address for `poolKey`; returns the retired list the allocation leaves. */
function issuePeer(state: CoreState, poolKey: string, reuse: boolean): { peer: PeerRecord; privateKey: string; retired: string[] } {
  const allocation = allocateSatelliteAddress(subnetOf(state), poolOf(state), poolKey, { allowReuse: reuse });
  const keys = generateKeyPair();
  return {
    peer: { address: allocation.address, publicKey: keys.publicKey, presharedKey: generatePresharedKey() },
    privateKey: keys.privateKey,
    retired: [...allocation.pool.retired],
  };
}

function withRetired(state: CoreState, retired: string[]): CoreState {
  if (!state.wireguard) return state;
  return { ...state, wireguard: { ...state.wireguard, retiredAddresses: [...new Set(retired)] } };
}

function replaceSatellite(state: CoreState, sat: SatelliteRecord): CoreState {
  return { ...state, satellites: state.satellites.map((item) => (item.id === sat.id ? sat : item)) };
}

function sortSatellites(satellites: SatelliteRecord[]): SatelliteRecord[] {
  return [...satellites].sort((a, b) => compareSatelliteIds(a.id, b.id));
}

/** State file, hub config and the running interface follow every satellite change. */
function basePlan(state: CoreState): CorePlan {
  const plan = emptyPlan();
  plan.files.push({ path: CORE_STATE_PATH, content: renderCoreStateYaml(state), mode: 0o600 });
  if (state.wireguard) {
    const config = buildHubFromState(state);
    plan.files.push({ path: hubConfigPath(state.wireguard.interface), content: renderWgQuickConfig(config), mode: 0o600 });
    plan.sync = { ifname: state.wireguard.interface, config };
  }
  return plan;
}

function addEnrollmentFile(plan: CorePlan, sat: SatelliteRecord, content: string): void {
  if (sat.enrollmentFile !== undefined) plan.externalFiles.push({ path: sat.enrollmentFile, content, mode: 0o600 });
  else plan.files.push({ path: defaultEnrollmentPath(sat.id), content, mode: 0o600 });
}

function enrollmentHostPath(root: string, sat: SatelliteRecord): string {
  return sat.enrollmentFile ?? hostPath(root, defaultEnrollmentPath(sat.id));
}
