import type { Answers } from '../../../provision/index.js';
import { runTool, type RunTool } from '../plan/run-tool.js';
import { underRoot } from '../plan/file-plan.js';
import { describeLayout, SYSTEMD_UNIT_NAME } from './satellite-layout.js';
import type { ServiceManagerName } from './satellite-files.js';
import { COMPOSE_PROJECT } from '../ops/upgrade-plan.js';

/** How the poller is started, restarted and removed under systemd or Docker Compose (foreground is the runner itself). */
export interface ServiceManager {
  readonly name: Exclude<ServiceManagerName, 'foreground'>;
  /** True when the service runs now. */
  isActive(): Promise<boolean>;
  /** Starts it, or restarts it when its files changed. */
  start(changed: boolean): Promise<void>;
  /** Stops it and removes it from boot. */
  remove(): Promise<void>;
}

export interface ManagerContext {
  root: string;
  answers: Answers;
  run?: RunTool;
}

/** The argv of each action, pure, so they can be checked without systemd or Docker running. */
export function systemdCommands(answers: Answers) {
  const tunnel = answers.transport === 'wireguard' ? `wg-quick@${answers.wireguard.interface}.service` : undefined;
  return {
    isActive: ['is-active', '--quiet', SYSTEMD_UNIT_NAME],
    // The unit BindsTo= the tunnel unit, so systemd owns the tunnel from here on (the caller takes its own test tunnel down first).
    start: [['daemon-reload'], ...(tunnel ? [['enable', '--now', tunnel]] : []), ['enable', '--now', SYSTEMD_UNIT_NAME]],
    restart: [['daemon-reload'], ...(tunnel ? [['enable', tunnel], ['restart', tunnel]] : []), ['enable', SYSTEMD_UNIT_NAME], ['restart', SYSTEMD_UNIT_NAME]],
    remove: [['disable', '--now', SYSTEMD_UNIT_NAME], ...(tunnel ? [['disable', tunnel]] : []), ['daemon-reload']],
  };
}

export function composeCommands(root: string, answers: Answers) {
  const file = underRoot(root, describeLayout(answers).composeFile);
  const base = ['compose', '--file', file, '--project-name', COMPOSE_PROJECT];
  return {
    isActive: [...base, 'ps', '--quiet', '--status', 'running'],
    start: [...base, 'up', '--detach'],
    restart: [...base, 'up', '--detach', '--force-recreate'],
    remove: [...base, 'down'],
  };
}

export function createServiceManager(name: Exclude<ServiceManagerName, 'foreground'>, ctx: ManagerContext): ServiceManager {
  const run = ctx.run ?? runTool;
  if (name === 'systemd') {
    const c = systemdCommands(ctx.answers);
    return {
      name,
      isActive: async () => (await run('systemctl', c.isActive, { allowFailure: true, timeoutMs: 30_000 })).exitCode === 0,
      async start(changed) {
        for (const args of changed ? c.restart : c.start) await run('systemctl', args, { timeoutMs: 120_000 });
      },
      async remove() {
        for (const args of c.remove) await run('systemctl', args, { allowFailure: true, timeoutMs: 120_000 });
      },
    };
  }
  const c = composeCommands(ctx.root, ctx.answers);
  return {
    name,
    isActive: async () => {
      const result = await run('docker', c.isActive, { allowFailure: true, timeoutMs: 60_000 });
      return result.exitCode === 0 && result.stdout.trim() !== '';
    },
    async start(changed) {
      await run('docker', changed ? c.restart : c.start, { timeoutMs: 600_000 });
    },
    async remove() {
      await run('docker', c.remove, { allowFailure: true, timeoutMs: 120_000 });
    },
  };
}
