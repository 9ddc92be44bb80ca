import { lookup } from 'node:dns/promises';
import { lstat, readFile, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeFileAtomic } from '../../../common/atomic-file.js';
import { UsmError, describeError } from '../../../common/usm-error.js';
import { DEFAULT_WG_PORT, parseEndpoint, type Answers } from '../../../provision/index.js';
import type { HealthSnapshot } from '../../../poller/lib/health/health-snapshot.js';
import { applyFileChanges, rollBackFileChanges } from '../plan/apply-files.js';
import { planFiles, renderPlan, underRoot, type FileChange } from '../plan/file-plan.js';
import { runTool, type RunTool } from '../plan/run-tool.js';
import { bringTunnelDown, readInterface } from '../tunnel/wg-interface.js';
import { readQueueInfo } from './broker-link.js';
import { loadFirewall, removeFirewall } from './firewall-control.js';
import { ForegroundRunner, type ReadyReport } from './foreground-runner.js';
import { waitForHealthy } from './health-wait.js';
import { resolvePollerScript } from './poller-child.js';
import { readLivePid } from './run-pid-file.js';
import { buildSatelliteFiles, type ServiceManagerName } from './satellite-files.js';
import { describeLayout } from './satellite-layout.js';
import { bringNetworkUp, readRuntimeEnv, tunnelTarget } from './satellite-network.js';
import { readSatelliteState, writeSatelliteState, type SatelliteState } from './satellite-state.js';
import { createServiceManager } from './service-manager.js';
import { runStep } from './setup-step.js';
import { restartTunnel, waitForHandshake } from './tunnel-control.js';

export interface SetupOptions {
  root: string;
  manager: ServiceManagerName;
  dryRun: boolean;
  noStart: boolean;
  handshakeTimeoutMs: number;
  readyTimeoutMs: number;
  say(line: string): void;
  /** The plan (dry run) goes here. */
  out(text: string): void;
  logStream: NodeJS.WritableStream;
  run?: RunTool;
  passEnv?: Record<string, string | undefined>;
  /** Recorded in the state (rotate). */
  rotation?: { rotatedFromAddress?: string };
}

export type SetupOutcome =
  | { kind: 'dry-run' }
  | { kind: 'unchanged' }
  | { kind: 'files-only'; changes: FileChange[] }
  | { kind: 'applied'; changes: FileChange[]; snapshot?: HealthSnapshot; implementation?: string; runner?: ForegroundRunner; report?: ReadyReport };

/** Plans, shows or applies a satellite's setup; a failure rolls files and runtime back to the previous configuration. */
export async function applySetup(answers: Answers, o: SetupOptions): Promise<SetupOutcome> {
  const run = o.run ?? runTool;
  const layout = describeLayout(answers);
  const coreEndpointAddress = await runStep('resolve', () => resolveCoreEndpoint(answers));
  const desired = buildSatelliteFiles(answers, { manager: o.manager, coreEndpointAddress, nodePath: process.execPath, pollerScript: resolvePollerScript() });
  const changes = await planFiles(o.root, desired);
  const state = await readSatelliteState(o.root, layout.stateFile);
  const wanted = new Set(desired.map((file) => file.path));
  const stale = (state?.files ?? []).filter((path) => !wanted.has(path));
  const changed = changes.some((change) => change.action !== 'unchanged') || stale.length > 0;

  if (o.dryRun) {
    o.out(`${renderPlan(changes)}${stale.map((path) => `  remove    ${path}\n`).join('')}\nThen: ${describeSteps(answers, o)}\n(dry run: nothing was changed)\n`);
    return { kind: 'dry-run' };
  }
  const running = o.noStart ? true : await isRunning(answers, o, run);
  if (!changed && running && !o.rotation) {
    o.say('nothing to change: the satellite already runs with these answers');
    return { kind: 'unchanged' };
  }

  const newState: SatelliteState = {
    version: 1,
    satelliteId: answers.satellite.id,
    transport: answers.transport,
    manager: o.manager,
    ...(layout.interfaceName ? { interfaceName: layout.interfaceName } : {}),
    files: desired.map((file) => file.path),
    directories: [],
    appliedAt: new Date().toISOString(),
    ...(o.rotation ? { rotatedAt: new Date().toISOString(), ...o.rotation } : state?.rotatedAt ? { rotatedAt: state.rotatedAt, rotatedFromAddress: state.rotatedFromAddress } : {}),
  };
  // applyFileChanges puts its own files back when it fails; from then on this try owns the rollback.
  const done = await runStep('files', () => applyFileChanges(changes));
  const removed: RemovedFile[] = [];
  let runtimeTouched = false;
  try {
    await runStep('files', () => removeStale(o.root, stale, removed));
    for (const change of done) o.say(`${change.action.padEnd(7)} ${change.path}`);
    if (o.noStart) {
      await runStep('state', () => writeSatelliteState(o.root, layout.stateFile, newState));
      return { kind: 'files-only', changes: done };
    }
    const wgChanged = done.some((change) => change.path === layout.wireguardConfig);
    runtimeTouched = true;
    const outcome = await startRuntime(answers, o, wgChanged || done.length > 0);
    // Last: the state names the new files only once everything else worked.
    await runStep('state', () => writeSatelliteState(o.root, layout.stateFile, newState)).catch(async (error: unknown) => {
      await outcome.runner?.stop().catch(() => undefined);
      throw error;
    });
    return { ...outcome, changes: done };
  } catch (error) {
    o.say('setup failed: putting the previous configuration back');
    await rollBackFileChanges(done);
    for (const file of [...removed].reverse()) await writeFileAtomic(file.hostPath, file.content, { mode: file.mode });
    if (runtimeTouched) await restorePrevious(answers, o, done, run).catch((restoreError: unknown) => o.say(`could not restore everything: ${String(restoreError)}`));
    throw error;
  }
}

async function startRuntime(answers: Answers, o: SetupOptions, changed: boolean): Promise<Omit<Extract<SetupOutcome, { kind: 'applied' }>, 'changes'>> {
  const run = o.run ?? runTool;
  const layout = describeLayout(answers);
  if (o.manager === 'foreground') {
    const pid = await readLivePid(underRoot(o.root, layout.runPidFile));
    if (pid !== null) {
      // A `usm-appliance run` owns tunnel and poller: it drains, applies and restarts on SIGHUP.
      const snapshot = await reloadRunner(answers, o, pid);
      return { kind: 'applied', snapshot };
    }
    const runner = new ForegroundRunner({ root: o.root, handshakeTimeoutMs: o.handshakeTimeoutMs, readyTimeoutMs: o.readyTimeoutMs, say: o.say, logStream: o.logStream, run: o.run, passEnv: o.passEnv });
    const report = await runner.start();
    return { kind: 'applied', runner, report, snapshot: report.snapshot, ...(report.network.implementation ? { implementation: report.network.implementation } : {}) };
  }
  const network = await bringNetworkUp({ root: o.root, answers, run, handshakeTimeoutMs: o.handshakeTimeoutMs, say: o.say }, changed);
  const target = tunnelTarget(o.root, answers);
  if (o.manager === 'systemd' && target) await bringTunnelDown(target.configHostPath, { run });
  const manager = createServiceManager(o.manager, { root: o.root, answers, run });
  await runStep('service', () => manager.start(changed));
  const env = await readRuntimeEnv(o.root, answers);
  await runStep('poller', () => waitForConsumer(env, o.readyTimeoutMs));
  return { kind: 'applied', ...(network.implementation ? { implementation: network.implementation } : {}) };
}

/** SIGHUP to the running `usm-appliance run`, then wait for a new poller that consumes. */
async function reloadRunner(answers: Answers, o: SetupOptions, pid: number): Promise<HealthSnapshot> {
  const env = await readRuntimeEnv(o.root, answers);
  const statusHostPath = env.USM_POLLER_STATUS_FILE ?? '';
  const before = await readFile(statusHostPath, 'utf8').then((text) => (JSON.parse(text) as HealthSnapshot).pid, () => undefined);
  process.kill(pid, 'SIGHUP');
  o.say(`signalled usm-appliance run (pid ${pid}) to drain and reload`);
  const deadline = Date.now() + o.readyTimeoutMs + o.handshakeTimeoutMs + 60_000;
  while (Date.now() < deadline) {
    const snapshot = await readFile(statusHostPath, 'utf8').then((text) => JSON.parse(text) as HealthSnapshot, () => undefined);
    if (snapshot && snapshot.pid !== before && snapshot.healthy) {
      return runStep('poller', () => waitForHealthy({ statusHostPath, timeoutMs: 5_000, pid: snapshot.pid }));
    }
    await sleep(250);
  }
  throw new UsmError('E_POLLER_NOT_READY', 'step "poller" failed: the reloaded poller did not report connected and consuming', {
    problems: ['read the output of usm-appliance run (the tunnel or broker step of the reload names the cause)'],
  });
}

async function waitForConsumer(env: Record<string, string>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    try {
      const info = await readQueueInfo(env);
      if (info.consumerCount > 0) return;
      last = `${info.queue} has no consumer yet`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(1_000);
  }
  throw new UsmError('E_POLLER_NOT_READY', `the poller did not start consuming within ${Math.round(timeoutMs / 1000)} s (${last})`, {
    problems: ['read the service log: journalctl -u usm-poller, or docker compose logs poller'],
  });
}

async function isRunning(answers: Answers, o: SetupOptions, run: RunTool): Promise<boolean> {
  const target = tunnelTarget(o.root, answers);
  if (target && (await readInterface(target.interfaceName, { run })) === null && o.manager !== 'systemd') return false;
  if (o.manager === 'foreground') return (await readLivePid(underRoot(o.root, describeLayout(answers).runPidFile))) !== null;
  return createServiceManager(o.manager, { root: o.root, answers, run }).isActive();
}

/** After a failed apply (files already restored): tunnel, firewall and service back on the old files. */
async function restorePrevious(answers: Answers, o: SetupOptions, done: readonly FileChange[], run: RunTool): Promise<void> {
  const layout = describeLayout(answers);
  const target = tunnelTarget(o.root, answers);
  const wg = done.find((change) => change.path === layout.wireguardConfig);
  if (target && wg) {
    if (wg.previous === null) await bringTunnelDown(target.configHostPath, { run });
    else {
      await restartTunnel(target, { run });
      await waitForHandshake(target, 0, 10_000, { run }).catch(() => undefined);
    }
  }
  const firewall = done.find((change) => change.path === layout.firewall);
  if (firewall) {
    if (firewall.previous === null) await removeFirewall(run);
    else await loadFirewall(firewall.hostPath, run);
  }
  if (o.manager === 'foreground') {
    const pid = await readLivePid(underRoot(o.root, layout.runPidFile));
    if (pid !== null) process.kill(pid, 'SIGHUP');
  } else if (done.some((change) => change.previous !== null)) {
    await createServiceManager(o.manager, { root: o.root, answers, run }).start(true).catch(() => undefined);
  }
}

interface RemovedFile {
  hostPath: string;
  content: Buffer;
  mode: number;
}

/**
 * Removes files an earlier setup installed that the new answers no longer
 * want, recording each (content and mode) in `removed` before it goes, so
 * the caller can put them back when this or a later step fails. A path that
 * is there but not a regular file, or that cannot be removed, is a failure.
 */
async function removeStale(root: string, paths: readonly string[], removed: RemovedFile[]): Promise<void> {
  for (const path of paths) {
    const hostPath = underRoot(root, path);
    const info = await lstat(hostPath).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (!info) continue;
    if (!info.isFile()) throw new UsmError('E_WRITE', `cannot remove ${hostPath} (installed by an earlier setup, no longer wanted): it is not a regular file any more`);
    const file = { hostPath, content: await readFile(hostPath), mode: info.mode & 0o777 };
    try {
      await rm(hostPath);
    } catch (error) {
      throw new UsmError('E_WRITE', `cannot remove ${hostPath} (installed by an earlier setup, no longer wanted): ${describeError(error)}`, { cause: error });
    }
    removed.push(file);
  }
}

/** The core's endpoint as an address: the firewall rule needs one. */
export async function resolveCoreEndpoint(answers: Answers): Promise<string | undefined> {
  if (answers.transport !== 'wireguard') return undefined;
  const { host } = parseEndpoint(answers.wireguard.core.endpoint, DEFAULT_WG_PORT);
  if (isIP(host) !== 0) return host;
  try {
    return (await lookup(host)).address;
  } catch (error) {
    throw new UsmError('E_RESOLVE', `cannot resolve the core's endpoint ${host}: ${(error as Error).message}`, {
      problems: ['check DNS on this machine, or put the core\'s IP address in wireguard.core.endpoint'],
    });
  }
}

function describeSteps(answers: Answers, o: SetupOptions): string {
  if (o.noStart) return 'nothing else (--no-start)';
  const steps = answers.transport === 'wireguard' ? ['bring the tunnel up', 'wait for a handshake'] : [];
  steps.push('load the firewall (nft -f)', 'check the broker login', o.manager === 'foreground' ? 'run the poller in the foreground' : `start the poller with ${o.manager}`, 'wait until it consumes');
  return steps.join(', ');
}
