import { isMap, isScalar, parseDocument } from 'yaml';
import { UsmError } from '../../../common/usm-error.js';

export type ServiceManager = 'compose' | 'systemd';

/** One command of the upgrade, run in order; `why` is what --dry-run prints beside it. */
export interface UpgradeStep {
  why: string;
  file: string;
  args: string[];
  timeoutMs: number;
  /** Run when a later step fails, to bring the old version back (systemd: start the old install). */
  onFailure?: { file: string; args: string[] };
}

export interface UpgradePlanInput {
  manager: ServiceManager;
  version: string;
  /** compose: the compose file's path on this machine; its new text is `composeText`. */
  composePath?: string;
  /** systemd unit, or compose service. */
  service: string;
  /** The poller's USM_POLLER_DRAIN_TIMEOUT_MS; the stop waits this plus a margin. */
  drainTimeoutMs: number;
}

export const VERSION_PATTERN = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
export const NPM_PACKAGE = 'usm-appliance';

/** Seconds a stop may take: the poller's drain, plus time to publish the last results and close. */
export function stopTimeoutSeconds(drainTimeoutMs: number): number {
  return Math.ceil(drainTimeoutMs / 1000) + 15;
}

/**
 * Pure: the commands of an upgrade. Compose pulls the new image while the old
 * container still works, then stops it with a timeout long enough to drain
 * (SIGTERM) before `up -d` recreates it. systemd stops the unit first (the
 * stop is the drain), installs the package, starts it, and checks the
 * version; if the install fails the old one is started again.
 */
export const COMPOSE_PROJECT = 'usm_poller';

export function planUpgradeSteps(input: UpgradePlanInput): UpgradeStep[] {
  if (!VERSION_PATTERN.test(input.version)) throw new UsmError('E_USAGE', `--version: must be a release like 3.18.0, got ${JSON.stringify(input.version)}`);
  const stopSeconds = stopTimeoutSeconds(input.drainTimeoutMs);
  if (input.manager === 'compose') {
    if (!input.composePath) throw new UsmError('E_UPGRADE', 'compose: no compose file');
    // The same project name setup uses: without it compose derives one from the directory and would start a second stack.
    const compose = ['compose', '-f', input.composePath, '--project-name', COMPOSE_PROJECT];
    return [
      { why: 'download the new image (the running poller keeps working)', file: 'docker', args: [...compose, 'pull', input.service], timeoutMs: 900_000 },
      { why: `drain: SIGTERM, wait up to ${stopSeconds} s for jobs in flight`, file: 'docker', args: [...compose, 'stop', '--timeout', String(stopSeconds), input.service], timeoutMs: (stopSeconds + 30) * 1000 },
      { why: 'start the new version', file: 'docker', args: [...compose, 'up', '-d', input.service], timeoutMs: 300_000 },
    ];
  }
  const unit = input.service;
  return [
    { why: `drain: systemctl stop sends SIGTERM and waits (TimeoutStopSec of ${unit})`, file: 'systemctl', args: ['stop', unit], timeoutMs: (stopSeconds + 60) * 1000 },
    {
      why: `install ${NPM_PACKAGE}@${input.version} (usm-poller and usm-appliance)`, file: 'npm', args: ['install', '--global', '--no-audit', '--no-fund', `${NPM_PACKAGE}@${input.version}`],
      timeoutMs: 900_000, onFailure: { file: 'systemctl', args: ['start', unit] },
    },
    { why: 'start the new version', file: 'systemctl', args: ['start', unit], timeoutMs: 120_000 },
    { why: `check that usm-poller reports ${input.version}`, file: 'usm-poller', args: ['--version'], timeoutMs: 30_000 },
  ];
}

/**
 * Pure: the compose file with the image tag of `service` set to `version`,
 * comments and layout kept. A digest pin is dropped (it names the old image).
 */
export function rewriteComposeImage(text: string, service: string, version: string): { text: string; from: string; to: string } {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new UsmError('E_UPGRADE', `compose file: ${doc.errors[0]!.message.split('\n')[0]}`);
  const node = doc.getIn(['services', service, 'image'], true);
  if (!isScalar(node) || typeof node.value !== 'string') {
    const services = doc.get('services');
    const names = isMap(services) ? services.items.map((item) => String(isScalar(item.key) ? item.key.value : item.key)) : [];
    throw new UsmError('E_UPGRADE', `compose file: no services.${service}.image (services: ${names.join(', ') || 'none'}); give --service`);
  }
  const from = node.value;
  const to = `${imageRepository(from)}:${version}`;
  node.value = to;
  return { text: doc.toString({ lineWidth: 0 }), from, to };
}

/** `registry:5000/org/name:tag@sha256:...` -> `registry:5000/org/name`. Pure. */
export function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** Pure: the systemd unit / compose service name when --service is not given. */
export function defaultService(manager: ServiceManager): string {
  return manager === 'compose' ? 'poller' : 'usm-poller.service';
}

/** Pure: `docker` / `npm` lines as --dry-run prints them. */
export function renderSteps(steps: readonly UpgradeStep[]): string {
  return ['Commands:', ...steps.map((s, i) => `  ${i + 1}. ${[s.file, ...s.args].join(' ')}\n       ${s.why}`)].join('\n');
}
