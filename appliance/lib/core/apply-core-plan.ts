import { mkdir, mkdtemp, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../../common/atomic-file.js';
import { UsmError, describeError } from '../../../common/usm-error.js';
import { renderWgSyncConfig } from '../../../provision/lib/wireguard/wg-quick-config.js';
import { applyFileChanges, rollBackFileChanges } from '../plan/apply-files.js';
import { planFiles, renderChangeDiff, type FileChange } from '../plan/file-plan.js';
import { readInterface, syncInterface, type TunnelDeps } from '../tunnel/wg-interface.js';
import { describeRabbitmqctl, runRabbitmqctl, type BrokerControl } from './broker-control.js';
import { SECRET_DIRS, hostPath } from './core-paths.js';
import type { BrokerStep, CorePlan } from './core-plan.js';

export interface ApplyContext {
  root: string;
  dryRun: boolean;
  broker: BrokerControl;
  tunnel?: TunnelDeps;
  stdout: NodeJS.WritableStream;
  /** Progress lines. */
  stderr: NodeJS.WritableStream;
}

export type ApplyOutcome = 'dry-run' | 'unchanged' | 'applied';

interface Deletion {
  hostPath: string;
  previous: string;
  mode: number;
}

/**
 * Executes a plan in the order that is easiest to take back: broker calls
 * (each with its undo), files (atomic, old content kept), deletions, then
 * `wg syncconf`.
 * If any step fails, everything done so far is undone in reverse, so the
 * core is left as it was. A dry run prints the plan and masked diffs only.
 */
export async function applyCorePlan(plan: CorePlan, ctx: ApplyContext): Promise<ApplyOutcome> {
  let changes: FileChange[];
  let deletions: Deletion[];
  try {
    // Files outside --root (an operator's --out path) first: the likeliest to fail, before anything else is rewritten.
    changes = [...(await planFiles('/', plan.externalFiles)), ...(await planFiles(ctx.root, plan.files))];
    deletions = await readDeletions(plan, ctx.root);
  } catch (error) {
    throw new UsmError('E_READ', `cannot read what is there: ${describeError(error)}; nothing was changed`, { cause: error });
  }
  const interfaceUp = plan.sync ? (await readInterface(plan.sync.ifname, ctx.tunnel)) !== null : false;
  const fileWork = changes.some((change) => change.action !== 'unchanged') || deletions.length > 0;
  if (ctx.dryRun) {
    ctx.stdout.write(renderDryRun(plan, changes, deletions, interfaceUp, ctx.broker));
    return 'dry-run';
  }
  if (!fileWork && plan.broker.length === 0) return 'unchanged';

  let createdDirs: string[] = [];
  let written: FileChange[] = [];
  const deleted: Deletion[] = [];
  const brokerDone: BrokerStep[] = [];
  try {
    // The broker goes first: it is the step most likely to refuse (user exists, vhost missing), and a
    // refusal there leaves every file untouched, not rewritten with its old content.
    for (const step of plan.broker) {
      progress(ctx, `broker: ${step.command.args.slice(0, 2).join(' ')}`);
      const result = await runRabbitmqctl(ctx.broker, step.command, step.okIfMissing);
      // A user that was already gone needs no re-creation on roll-back.
      if (result === 'done') brokerDone.push(step);
    }
    createdDirs = await ensureSecretDirs(ctx.root, changes);
    if (fileWork) progress(ctx, `writing ${changes.filter((c) => c.action !== 'unchanged').length} file(s)`);
    written = await applyFileChanges(changes);
    for (const deletion of deletions) {
      await rm(deletion.hostPath, { force: true });
      deleted.push(deletion);
    }
    if (plan.sync && interfaceUp) {
      progress(ctx, `applying the hub config to the running interface ${plan.sync.ifname} (wg syncconf)`);
      await syncRunning(plan.sync.ifname, renderWgSyncConfig(plan.sync.config), ctx.tunnel);
    }
  } catch (error) {
    progress(ctx, 'failed; rolling back');
    const problems = await rollBack(ctx, brokerDone, deleted, written, createdDirs);
    const message = error instanceof UsmError ? error.message : describeError(error);
    throw new UsmError(error instanceof UsmError ? error.code : 'E_APPLY', `${message}; nothing was changed`, { cause: error, problems });
  }
  if (plan.sync && !interfaceUp) plan.summary.push(`interface ${plan.sync.ifname} is not up: the hub config takes effect with usm-appliance core up`);
  return 'applied';
}

async function rollBack(ctx: ApplyContext, brokerDone: BrokerStep[], deleted: Deletion[], written: FileChange[], dirs: string[]): Promise<string[]> {
  const problems: string[] = [];
  const attempt = async (what: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      problems.push(`roll-back of ${what} failed: ${describeError(error)}`);
    }
  };
  for (const step of [...brokerDone].reverse()) {
    for (const undo of step.undo) await attempt(`rabbitmqctl ${undo.args.slice(0, 2).join(' ')}`, () => runRabbitmqctl(ctx.broker, undo, true));
  }
  for (const deletion of [...deleted].reverse()) {
    await attempt(deletion.hostPath, () => writeFileAtomic(deletion.hostPath, deletion.previous, { mode: deletion.mode }));
  }
  await attempt('files', () => rollBackFileChanges(written));
  for (const dir of [...dirs].reverse()) await attempt(dir, () => rmdir(dir));
  return problems;
}

async function readDeletions(plan: CorePlan, root: string): Promise<Deletion[]> {
  const found: Deletion[] = [];
  for (const deletion of plan.deletions) {
    const path = deletion.external ? deletion.path : hostPath(root, deletion.path);
    try {
      found.push({ hostPath: path, previous: await readFile(path, 'utf8'), mode: (await stat(path)).mode & 0o777 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return found;
}

/** Creates missing secret directories 0700 (parents as usual); returns what it created, deepest last. */
async function ensureSecretDirs(root: string, changes: readonly FileChange[]): Promise<string[]> {
  const wanted = new Set(changes.filter((c) => c.action === 'create').map((c) => dirname(c.path)));
  const created: string[] = [];
  for (const dir of SECRET_DIRS) {
    if (![...wanted].some((path) => path === dir || path.startsWith(`${dir}/`))) continue;
    const path = hostPath(root, dir);
    const parent = dirname(path);
    const first = await mkdir(parent, { recursive: true });
    if (first !== undefined) created.push(first);
    try {
      await mkdir(path, { mode: 0o700 });
      created.push(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return created;
}

/** wg syncconf from a stripped config in a private 0700 directory (keys never on argv), removed afterwards. */
async function syncRunning(ifname: string, text: string, tunnel?: TunnelDeps): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'usm-core-sync-'));
  try {
    const file = join(dir, `${ifname}.conf`);
    await writeFile(file, text, { mode: 0o600 });
    await syncInterface(ifname, file, tunnel);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function renderDryRun(plan: CorePlan, changes: FileChange[], deletions: Deletion[], interfaceUp: boolean, broker: BrokerControl): string {
  const lines = ['Dry run: nothing was changed. The plan:'];
  for (const change of changes) lines.push(`  ${change.action.padEnd(9)} ${change.hostPath}`);
  for (const deletion of deletions) lines.push(`  ${'delete'.padEnd(9)} ${deletion.hostPath}`);
  for (const step of plan.broker) lines.push(`  ${'broker'.padEnd(9)} ${describeRabbitmqctl(broker, step.command)}`);
  if (plan.sync) lines.push(`  ${'sync'.padEnd(9)} wg syncconf ${plan.sync.ifname}${interfaceUp ? '' : ' (skipped: the interface is not up)'}`);
  if (lines.length === 1) lines.push('  (nothing to change)');
  const diffs = changes.map(renderChangeDiff).filter((diff) => diff !== '');
  return `${[...lines, '', ...diffs].join('\n').trimEnd()}\n`;
}

function progress(ctx: ApplyContext, line: string): void {
  ctx.stderr.write(`... ${line}\n`);
}
