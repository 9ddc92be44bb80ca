import { readdir, rm, rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Answers } from '../../../provision/index.js';
import { underRoot } from '../plan/file-plan.js';
import { runTool, type RunTool } from '../plan/run-tool.js';
import { bringTunnelDown, readInterface } from '../tunnel/wg-interface.js';
import { removeFirewall } from './firewall-control.js';
import { readLivePid } from './run-pid-file.js';
import { describeLayout } from './satellite-layout.js';
import { POLLER_STATUS_FILE } from './satellite-files.js';
import { readSatelliteState, type SatelliteState } from './satellite-state.js';
import { createServiceManager } from './service-manager.js';
import { tunnelTarget } from './satellite-network.js';

export interface UninstallPlan {
  state: SatelliteState;
  /** Target paths to remove: the manifest, the state file and the poller's status file. */
  files: string[];
  actions: string[];
}

/** What uninstall would do: only what setup recorded in its manifest. */
export async function planUninstall(root: string, answers: Answers): Promise<UninstallPlan | null> {
  const layout = describeLayout(answers);
  const state = await readSatelliteState(root, layout.stateFile);
  if (!state) return null;
  const actions = [
    state.manager === 'foreground' ? 'stop usm-appliance run (SIGTERM: the poller drains)' : `stop and disable the poller (${state.manager})`,
    ...(state.interfaceName ? [`take the tunnel ${state.interfaceName} down`] : []),
    'delete the nftables table inet usm_appliance',
  ];
  // The applied answers and the state go last: uninstall reads them, so an interrupted run can be started again.
  const last = new Set([layout.answers, layout.stateFile]);
  const files = [...state.files.filter((file) => !last.has(file)), layout.runPidFile, POLLER_STATUS_FILE, ...state.files.filter((file) => file === layout.answers), layout.stateFile];
  return { state, files, actions };
}

export async function applyUninstall(root: string, answers: Answers, plan: UninstallPlan, say: (line: string) => void, run: RunTool = runTool): Promise<void> {
  const layout = describeLayout(answers);
  if (plan.state.manager === 'foreground') {
    const pid = await readLivePid(underRoot(root, layout.runPidFile));
    if (pid !== null) {
      process.kill(pid, 'SIGTERM');
      say(`stopping usm-appliance run (pid ${pid})`);
      for (let i = 0; i < 600 && (await readLivePid(underRoot(root, layout.runPidFile))) !== null; i += 1) await new Promise((r) => setTimeout(r, 100));
    }
  } else {
    await createServiceManager(plan.state.manager, { root, answers, run }).remove();
  }
  const target = tunnelTarget(root, answers);
  if (target && (await readInterface(target.interfaceName, { run })) !== null) await bringTunnelDown(target.configHostPath, { run });
  await removeFirewall(run);
  const dirs = new Set<string>();
  for (const path of plan.files) {
    await rm(underRoot(root, path), { force: true });
    say(`removed ${path}`);
    dirs.add(dirname(path));
  }
  // Directories that only held our files go too; anything else in them stays.
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    const hostDir = underRoot(root, dir);
    const entries = await readdir(hostDir).catch(() => null);
    if (entries && entries.length === 0 && ['/etc/usm-appliance', '/run/usm-poller', '/etc/usm-appliance/tls', '/opt/usm_poller', '/var/lib/usm-appliance', answers.paths.configDir, `${answers.paths.configDir}/tls`, answers.paths.composeDir, answers.paths.stateDir].includes(dir)) {
      await rmdir(hostDir).catch(() => undefined);
    }
  }
}
