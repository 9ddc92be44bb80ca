import { underRoot } from '../plan/file-plan.js';

/** Where the core side keeps its files, as paths on the target system (placed under --root by the planner). */
export const CORE_CONFIG_DIR = '/etc/usm-appliance';
export const CORE_STATE_PATH = `${CORE_CONFIG_DIR}/core.yaml`;
export const SATELLITES_DIR = `${CORE_CONFIG_DIR}/satellites`;
export const TLS_DIR = `${CORE_CONFIG_DIR}/tls`;
export const WIREGUARD_DIR = '/etc/wireguard';
export const DEFAULT_INTERFACE = 'usm0';

export const TLS_FILES = {
  caCert: `${TLS_DIR}/ca.pem`,
  caKey: `${TLS_DIR}/ca.key`,
  serverCert: `${TLS_DIR}/server.pem`,
  serverKey: `${TLS_DIR}/server.key`,
  rabbitmqConfig: `${TLS_DIR}/rabbitmq-tls.conf`,
} as const;

/** Directories that hold secrets: created 0700. */
export const SECRET_DIRS = [CORE_CONFIG_DIR, SATELLITES_DIR, TLS_DIR, WIREGUARD_DIR] as const;

export function hubConfigPath(ifname: string): string {
  return `${WIREGUARD_DIR}/${ifname}.conf`;
}

export function defaultEnrollmentPath(satelliteId: string): string {
  return `${SATELLITES_DIR}/${satelliteId}.yaml`;
}

/** Host path of a target path under --root. */
export function hostPath(root: string, path: string): string {
  return underRoot(root, path);
}
