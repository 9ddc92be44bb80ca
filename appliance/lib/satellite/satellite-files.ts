import {
  buildBrokerDsn,
  buildSatelliteConfigFromAnswers,
  DEFAULT_WG_PORT,
  parseEndpoint,
  renderAnswersYaml,
  renderWgQuickConfig,
  ANSWERS_HEADER,
  type Answers,
} from '../../../provision/index.js';
import { renderPollerEnv } from '../../../provision/lib/satellite-files/poller-env.js';
import { renderComposeFile } from '../../../provision/lib/satellite-files/compose-file.js';
import { renderSystemdUnit } from '../../../provision/lib/satellite-files/systemd-unit.js';
import { renderFirewall } from '../../../provision/lib/satellite-files/firewall.js';
import type { DesiredFile } from '../plan/file-plan.js';
import { describeLayout } from './satellite-layout.js';

export type ServiceManagerName = 'systemd' | 'compose' | 'foreground';

/** Where the poller writes its health snapshot: systemd's RuntimeDirectory (the unit sets the same path). */
export const POLLER_STATUS_FILE = '/run/usm-poller/status.json';

export interface SatelliteFileOptions {
  manager: ServiceManagerName;
  /** The core's WireGuard endpoint as an IP address (host names resolved by the caller). */
  coreEndpointAddress?: string;
  /** Absolute paths for the systemd unit's ExecStart. */
  nodePath: string;
  pollerScript: string;
  /** Container image for compose.yaml (the tag comes from the answers). */
  imageRepository?: string;
}

/** The satellite's WireGuard listen port: fixed (the core's port), so the firewall can name it. */
export function satelliteListenPort(answers: Answers): number | undefined {
  if (answers.transport !== 'wireguard') return undefined;
  return parseEndpoint(answers.wireguard.core.endpoint, DEFAULT_WG_PORT).port;
}

export function renderSatelliteWgConfig(answers: Answers): string | undefined {
  if (answers.transport !== 'wireguard') return undefined;
  const config = buildSatelliteConfigFromAnswers(answers);
  return renderWgQuickConfig({ ...config, interface: { ...config.interface, listenPort: satelliteListenPort(answers) } });
}

/**
 * Pure: every file `setup` installs for these answers, with its mode. Secrets
 * (wg private key, broker password, TLS key) only go into 0600 files.
 */
export function buildSatelliteFiles(answers: Answers, options: SatelliteFileOptions): DesiredFile[] {
  const layout = describeLayout(answers);
  const files: DesiredFile[] = [];
  const wg = renderSatelliteWgConfig(answers);
  if (wg !== undefined && layout.wireguardConfig) files.push({ path: layout.wireguardConfig, content: wg, mode: 0o600 });
  const header = [...ANSWERS_HEADER.slice(0, 1), 'Applied by usm-appliance setup: the configuration this satellite runs.', ...ANSWERS_HEADER.slice(2, 3)];
  files.push({ path: layout.answers, content: renderAnswersYaml({ ...answers, service: { manager: options.manager } }, header), mode: 0o600 });

  const amqps = answers.transport === 'amqps';
  // systemd hands the TLS files over as credentials (the unit sets the variables); the others read them by path.
  const tlsPaths = amqps && options.manager !== 'systemd' ? { caFile: layout.caFile, certFile: layout.certFile, keyFile: layout.keyFile } : {};
  files.push({
    path: layout.pollerEnv,
    mode: 0o600,
    content: renderPollerEnv({
      dsn: buildBrokerDsn(answers),
      satelliteId: answers.satellite.id,
      concurrency: answers.poller.concurrency,
      logLevel: answers.poller.logLevel,
      ...(answers.transport === 'wireguard' ? { localAddress: answers.wireguard.address.split('/')[0] } : {}),
      ...(amqps ? { tls: { ...tlsPaths, servername: answers.amqps.serverName } } : {}),
      statusFile: POLLER_STATUS_FILE,
      ...(answers.poller.metrics.enabled ? { httpListen: formatListen(answers.poller.metrics.host, answers.poller.metrics.port) } : {}),
      ...(answers.poller.metrics.enabled && answers.transport === 'wireguard' ? { wgInterface: answers.wireguard.interface } : {}),
    }),
  });
  if (amqps) {
    files.push({ path: layout.caFile, content: ensureNewline(answers.amqps.caPem), mode: 0o600 });
    files.push({ path: layout.certFile, content: ensureNewline(answers.amqps.certPem), mode: 0o600 });
    files.push({ path: layout.keyFile, content: ensureNewline(answers.amqps.keyPem), mode: 0o600 });
  }
  files.push({
    path: layout.composeFile,
    mode: 0o644,
    content: renderComposeFile({
      image: `${options.imageRepository ?? 'usm-appliance/poller'}:${answers.poller.imageTag}`,
      envFile: layout.pollerEnv,
      replicas: answers.poller.replicas,
      ...(amqps ? { tlsDir: layout.tlsDir } : {}),
    }),
  });
  files.push({
    path: layout.systemdUnit,
    mode: 0o644,
    content: renderSystemdUnit({
      nodePath: options.nodePath,
      scriptPath: options.pollerScript,
      envFile: layout.pollerEnv,
      firewallFile: layout.firewall,
      transport: answers.transport,
      ...(answers.transport === 'wireguard' ? { wgInterface: answers.wireguard.interface } : {}),
      ...(amqps ? { tlsFiles: { caFile: layout.caFile, certFile: layout.certFile, keyFile: layout.keyFile } } : {}),
    }),
  });
  files.push({
    path: layout.firewall,
    mode: 0o644,
    content: renderFirewall(
      answers.transport === 'wireguard'
        ? { transport: 'wireguard', wireguard: { coreEndpointAddress: requireAddress(options.coreEndpointAddress), listenPort: satelliteListenPort(answers) ?? DEFAULT_WG_PORT } }
        : { transport: 'amqps' },
    ),
  });
  return files;
}

function requireAddress(address: string | undefined): string {
  if (address === undefined) throw new Error('coreEndpointAddress is required for the wireguard transport');
  return address;
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

function formatListen(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
