import { DEFAULT_TUNNEL_SUBNET, parseTunnelSubnet } from '../../../provision/lib/addressing/tunnel-subnet.js';
import { DEFAULT_WG_PORT, formatEndpoint, parseEndpoint } from '../../../provision/lib/wireguard/endpoint.js';
import { DEFAULT_WG_MTU } from '../../../provision/lib/wireguard/hub-config.js';
import { generateKeyPair } from '../../../provision/lib/wireguard/wg-keys.js';
import { AMQPS_PORT } from '../../../provision/lib/answers/answers-schema.js';
import { UsmError } from '../../../common/usm-error.js';
import { CORE_STATE_PATH, DEFAULT_INTERFACE, TLS_FILES, hostPath, hubConfigPath } from './core-paths.js';
import { CORE_STATE_VERSION, type CoreState, type Transport } from './core-state-schema.js';
import { renderCoreStateYaml } from './core-state-file.js';
import { buildHubFromState } from './hub-from-state.js';
import { renderWgQuickConfig } from '../../../provision/lib/wireguard/wg-quick-config.js';
import { emptyPlan, type CorePlan } from './core-plan.js';
import {
  RABBITMQ_TLS_DIR,
  certificateNames,
  createTlsMaterial,
  loadPinnedCa,
  readTlsFiles,
  reissueServerCertificate,
  tlsFiles,
  type TlsMaterial,
} from './amqps-material.js';

export interface InitOptions {
  endpoint: string;
  transport?: Transport;
  subnet?: string;
  listenPort?: number;
  brokerHost?: string;
  vhost?: string;
  interface?: string;
  force: boolean;
}

const DNS_OR_IPV4 = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * The desired core after `init`: a flag left out keeps what the state says
 * (or the default on a first run). Settings that differ from the state are
 * refused without --force, naming each; the subnet, transport and interface
 * cannot change under enrolled satellites at all. Keys and the CA are kept
 * across re-runs, so a re-run with the same flags plans no change.
 */
export async function planInit(root: string, existing: CoreState | null, options: InitOptions): Promise<CorePlan> {
  const transport = options.transport ?? existing?.transport ?? 'wireguard';
  const endpoint = formatEndpoint(parseEndpoint(options.endpoint, transport === 'wireguard' ? DEFAULT_WG_PORT : AMQPS_PORT));
  const vhost = options.vhost ?? existing?.broker.vhost ?? '/';
  const sameTransport = existing?.transport === transport;
  if (transport === 'wireguard' && options.brokerHost !== undefined) {
    throw new UsmError('E_USAGE', '--broker-host: only for --transport amqps (WireGuard satellites reach the broker at the hub tunnel address)');
  }
  if (transport === 'amqps' && (options.subnet !== undefined || options.listenPort !== undefined || options.interface !== undefined)) {
    const flag = options.subnet !== undefined ? '--subnet' : options.listenPort !== undefined ? '--listen-port' : '--interface';
    throw new UsmError('E_USAGE', `${flag}: only for --transport wireguard`);
  }
  let state: CoreState;
  let tls: TlsMaterial | undefined;
  if (transport === 'wireguard') {
    const old = sameTransport ? existing?.wireguard : undefined;
    const subnet = options.subnet !== undefined ? parseTunnelSubnet(options.subnet).cidr : (old?.subnet ?? DEFAULT_TUNNEL_SUBNET);
    const keys = old ? { privateKey: old.privateKey, publicKey: old.publicKey } : generateKeyPair();
    state = {
      version: CORE_STATE_VERSION,
      transport,
      endpoint,
      broker: { vhost },
      wireguard: {
        interface: options.interface ?? old?.interface ?? DEFAULT_INTERFACE,
        subnet,
        listenPort: options.listenPort ?? old?.listenPort ?? parseEndpoint(endpoint).port,
        mtu: old?.mtu ?? DEFAULT_WG_MTU,
        ...keys,
        retiredAddresses: old && old.subnet === subnet ? old.retiredAddresses : [],
      },
      satellites: existing?.satellites ?? [],
    };
  } else {
    const host = parseEndpoint(endpoint).host;
    if (!DNS_OR_IPV4.test(host)) throw new UsmError('E_USAGE', `--endpoint: the AMQPS server name "${host}" must be a DNS name or an IPv4 address`);
    const brokerHost = options.brokerHost ?? (sameTransport ? existing?.amqps?.brokerHost : undefined);
    const names = [...new Set([host, ...(brokerHost === undefined || brokerHost === host ? [] : [brokerHost])])];
    tls = sameTransport && existing ? await keepOrReissue(root, existing, names) : await createTlsMaterial(names);
    state = {
      version: CORE_STATE_VERSION,
      transport,
      endpoint,
      broker: { vhost },
      amqps: { serverName: host, ...(brokerHost === undefined || brokerHost === host ? {} : { brokerHost }), caSha256: tls.ca.fingerprintSha256 },
      satellites: existing?.satellites ?? [],
    };
  }
  if (existing) checkChanges(existing, state, options.force);

  const plan = emptyPlan();
  plan.files.push({ path: CORE_STATE_PATH, content: renderCoreStateYaml(state), mode: 0o600 });
  if (state.wireguard) {
    plan.files.push({ path: hubConfigPath(state.wireguard.interface), content: renderWgQuickConfig(buildHubFromState(state)), mode: 0o600 });
    plan.summary.push(
      `core initialised: transport wireguard, endpoint ${state.endpoint}, hub ${parseTunnelSubnet(state.wireguard.subnet).hubAddress.text} in ${state.wireguard.subnet}`,
      `hub public key: ${state.wireguard.publicKey}`,
      `state: ${hostPath(root, CORE_STATE_PATH)}`,
      `hub config: ${hostPath(root, hubConfigPath(state.wireguard.interface))} (bring it up with: usm-appliance core up)`,
    );
  }
  if (existing?.wireguard && existing.wireguard.interface !== state.wireguard?.interface) {
    plan.deletions.push({ path: hubConfigPath(existing.wireguard.interface), external: false });
  }
  if (tls && state.amqps) {
    plan.files.push(...tlsFiles(tls));
    plan.summary.push(
      `core initialised: transport amqps, endpoint ${state.endpoint}, CA SHA-256 ${state.amqps.caSha256}`,
      `state: ${hostPath(root, CORE_STATE_PATH)}`,
      `RabbitMQ config snippet: ${hostPath(root, TLS_FILES.rabbitmqConfig)}`,
      `  add it to rabbitmq.conf and copy ca.pem, server.pem, server.key from ${hostPath(root, TLS_FILES.caCert).replace(/\/ca\.pem$/, '')}`,
      `  to ${RABBITMQ_TLS_DIR}/ owned by the rabbitmq user (key mode 0600), then restart RabbitMQ`,
    );
  }
  return plan;
}

/** Keeps the pinned CA; keeps the server certificate unless its names changed or it is missing. */
async function keepOrReissue(root: string, existing: CoreState, names: string[]): Promise<TlsMaterial> {
  const ca = await loadPinnedCa(root, existing);
  const files = await readTlsFiles(root);
  const fingerprintSha256 = existing.amqps?.caSha256 ?? '';
  const current = files.serverCert !== null && files.serverKey !== null ? { serverCertPem: files.serverCert, serverKeyPem: files.serverKey } : null;
  if (current && sameNames(certificateNames(current.serverCertPem), names)) return { ca: { ...ca, fingerprintSha256 }, ...current };
  return { ca: { ...ca, fingerprintSha256 }, ...(await reissueServerCertificate(ca, names)) };
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, index) => name.toLowerCase() === b[index]?.toLowerCase());
}

/** Refuses a changed setting without --force, and a structural change under enrolled satellites even with it. */
function checkChanges(existing: CoreState, wanted: CoreState, force: boolean): void {
  const pairs: Array<[string, unknown, unknown]> = [
    ['--transport', existing.transport, wanted.transport],
    ['--endpoint', existing.endpoint, wanted.endpoint],
    ['--vhost', existing.broker.vhost, wanted.broker.vhost],
    ['--subnet', existing.wireguard?.subnet, wanted.wireguard?.subnet],
    ['--listen-port', existing.wireguard?.listenPort, wanted.wireguard?.listenPort],
    ['--interface', existing.wireguard?.interface, wanted.wireguard?.interface],
    ['--broker-host', existing.amqps?.brokerHost, wanted.amqps?.brokerHost],
  ];
  const differences = pairs
    .filter(([, before, after]) => before !== after && !(before === undefined && existing.transport !== wanted.transport))
    .map(([flag, before, after]) => `${flag}: ${show(before)} (now) -> ${show(after)} (asked)`);
  if (differences.length === 0) return;
  if (!force) {
    throw new UsmError('E_USAGE', 'the core is already initialised with different settings; re-run with --force to change them', { problems: differences });
  }
  const structural = differences.filter((line) => /^--(transport|subnet|interface):/.test(line));
  if (structural.length > 0 && existing.satellites.length > 0) {
    throw new UsmError('E_USAGE', `cannot change these while ${existing.satellites.length} satellite(s) are enrolled; remove them first`, { problems: structural });
  }
}

function show(value: unknown): string {
  return value === undefined ? '(unset)' : String(value);
}
