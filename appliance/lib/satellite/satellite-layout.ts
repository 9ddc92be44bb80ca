import { posix } from 'node:path';
import type { Answers } from '../../../provision/index.js';
import { underRoot } from '../plan/file-plan.js';

/** Where the appliance keeps each file of a satellite, as paths on the target system (before --root). */
export interface SatelliteLayout {
  /** The wg-quick config; undefined for the amqps transport. */
  wireguardConfig: string | undefined;
  interfaceName: string | undefined;
  answers: string;
  pollerEnv: string;
  composeFile: string;
  systemdUnit: string;
  firewall: string;
  tlsDir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** The appliance's own record: manifest of installed files, rotation time. */
  stateFile: string;
  /** The poller's health snapshot (USM_POLLER_STATUS_FILE). */
  statusFile: string;
  /** The pid of a running `usm-appliance run`. */
  runPidFile: string;
}

export const SYSTEMD_UNIT_PATH = '/etc/systemd/system/usm-poller.service';
export const SYSTEMD_UNIT_NAME = 'usm-poller.service';
export const NFT_TABLE = 'usm_appliance';

/** Pure: the layout for one set of answers. */
export function describeLayout(answers: Answers): SatelliteLayout {
  const { configDir, stateDir, composeDir, wireguardDir } = answers.paths;
  const iface = answers.transport === 'wireguard' ? answers.wireguard.interface : undefined;
  const tlsDir = posix.join(configDir, 'tls');
  return {
    wireguardConfig: iface === undefined ? undefined : posix.join(wireguardDir, `${iface}.conf`),
    interfaceName: iface,
    answers: posix.join(configDir, 'satellite.yaml'),
    pollerEnv: posix.join(configDir, 'poller.env'),
    composeFile: posix.join(composeDir, 'compose.yaml'),
    systemdUnit: SYSTEMD_UNIT_PATH,
    firewall: posix.join(configDir, 'firewall.nft'),
    tlsDir,
    caFile: posix.join(tlsDir, 'ca.pem'),
    certFile: posix.join(tlsDir, 'client.pem'),
    keyFile: posix.join(tlsDir, 'client.key'),
    stateFile: posix.join(stateDir, 'satellite-state.json'),
    statusFile: posix.join(stateDir, 'poller-status.json'),
    runPidFile: posix.join(stateDir, 'run.pid'),
  };
}

/** A target path on this machine: <root><path>. */
export function hostPath(root: string, path: string): string {
  return underRoot(root, path);
}
