import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UsmError } from '../../../common/usm-error.js';
import { applyFileChanges, rollBackFileChanges } from '../plan/apply-files.js';
import { planFiles, renderPlan, underRoot, type FileChange } from '../plan/file-plan.js';
import { runTool, type RunTool } from '../plan/run-tool.js';
import { readFirstEnvFile } from './env-file.js';
import { defaultService, planUpgradeSteps, renderSteps, rewriteComposeImage, type ServiceManager, type UpgradeStep } from './upgrade-plan.js';

/** Where setup puts things (provision/lib/answers DEFAULT_PATHS). */
export const COMPOSE_FILE = '/opt/usm_poller/compose.yaml';
export const POLLER_ENV_FILES = ['/etc/usm-appliance/poller.env', '/opt/usm_poller/poller.env'] as const;
const UNIT_DIRS = ['/etc/systemd/system', '/lib/systemd/system', '/usr/lib/systemd/system'];

export interface UpgradeOptions {
  version: string;
  root: string;
  manager?: ServiceManager;
  service?: string;
  composeFile?: string;
  dryRun: boolean;
}

export interface PreparedUpgrade {
  manager: ServiceManager;
  service: string;
  files: FileChange[];
  steps: UpgradeStep[];
  /** What --dry-run prints (secrets masked). */
  text: string;
}

/** Reads what is installed and plans the upgrade. Reads only. */
export async function prepareUpgrade(options: UpgradeOptions): Promise<PreparedUpgrade> {
  const composeFile = options.composeFile ?? COMPOSE_FILE;
  const manager = options.manager ?? (await detectManager(options.root, composeFile, options.service));
  const service = options.service ?? defaultService(manager);
  const envPaths = manager === 'compose' ? [join(dirname(composeFile), 'poller.env'), ...POLLER_ENV_FILES] : [...POLLER_ENV_FILES];
  const env = await readFirstEnvFile(envPaths.map((p) => underRoot(options.root, p)));
  const drainTimeoutMs = Number(env?.values.USM_POLLER_DRAIN_TIMEOUT_MS ?? '30000') || 30_000;
  let files: FileChange[] = [];
  let header = `Upgrade ${manager} ${service} to ${options.version}`;
  if (manager === 'compose') {
    const hostPath = underRoot(options.root, composeFile);
    const text = await readFile(hostPath, 'utf8').catch(() => {
      throw new UsmError('E_UPGRADE', `no compose file at ${hostPath} (give --compose-file, or --manager systemd)`);
    });
    const rewritten = rewriteComposeImage(text, service, options.version);
    header += ` (image ${rewritten.from} -> ${rewritten.to})`;
    files = await planFiles(options.root, [{ path: composeFile, content: rewritten.text, mode: (await stat(hostPath)).mode & 0o777 }]);
  }
  const steps = planUpgradeSteps({ manager, version: options.version, composePath: underRoot(options.root, composeFile), service, drainTimeoutMs });
  const text = [header, '', renderPlan(files), renderSteps(steps), ''].join('\n');
  return { manager, service, files, steps, text };
}

/** Runs a prepared upgrade. A failed pull or install leaves the old version running and the compose file as it was. */
export async function executeUpgrade(prepared: PreparedUpgrade, version: string, run: RunTool = runTool, say: (line: string) => void = () => {}): Promise<void> {
  const written = await applyFileChanges(prepared.files);
  for (const [index, step] of prepared.steps.entries()) {
    say(`${index + 1}/${prepared.steps.length} ${[step.file, ...step.args].join(' ')}`);
    const result = await run(step.file, step.args, { timeoutMs: step.timeoutMs, allowFailure: true });
    if (result.exitCode !== 0) {
      const why = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ') || `exit ${result.exitCode}`;
      // Before the old version was stopped nothing is lost: put the compose file back.
      if (index === 0 && prepared.manager === 'compose') await rollBackFileChanges(written);
      if (step.onFailure) await run(step.onFailure.file, step.onFailure.args, { timeoutMs: 120_000, allowFailure: true });
      const state = index === 0 ? 'nothing was changed' : step.onFailure ? 'the previous version was started again' : 'the poller may be stopped: see docs/operations.md, "Upgrade"';
      throw new UsmError('E_UPGRADE', `${step.file} ${step.args.join(' ')} failed: ${why}; ${state}`);
    }
    if (step.file === 'usm-poller' && result.stdout.trim() !== version) {
      throw new UsmError('E_UPGRADE', `usm-poller reports ${JSON.stringify(result.stdout.trim())} after the upgrade, expected ${version} (is another usm-poller earlier on PATH?)`);
    }
  }
}

async function detectManager(root: string, composeFile: string, service: string | undefined): Promise<ServiceManager> {
  const unit = service && service.endsWith('.service') ? service : 'usm-poller.service';
  const [compose, systemd] = await Promise.all([
    exists(underRoot(root, composeFile)),
    Promise.all(UNIT_DIRS.map((dir) => exists(underRoot(root, join(dir, unit))))).then((found) => found.some(Boolean)),
  ]);
  if (compose && systemd) throw new UsmError('E_USAGE', `--manager: both ${composeFile} and ${unit} exist; say which runs the poller (compose or systemd)`);
  if (compose) return 'compose';
  if (systemd) return 'systemd';
  throw new UsmError('E_UPGRADE', `found neither ${composeFile} nor a ${unit} unit under ${root}: is the poller set up here? (or give --manager)`);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
