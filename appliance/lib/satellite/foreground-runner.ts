import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsmError, describeError } from '../../../common/usm-error.js';
import type { Answers } from '../../../provision/index.js';
import type { HealthSnapshot } from '../../../poller/lib/health/health-snapshot.js';
import { runTool, type RunTool } from '../plan/run-tool.js';
import { underRoot } from '../plan/file-plan.js';
import { bringTunnelDown } from '../tunnel/wg-interface.js';
import { loadAppliedAnswers } from './applied-answers.js';
import { waitForHealthy } from './health-wait.js';
import { PollerChild } from './poller-child.js';
import { removePidFile, writePidFile } from './run-pid-file.js';
import { describeLayout } from './satellite-layout.js';
import { bringNetworkUp, readRuntimeEnv, tunnelTarget, type NetworkResult } from './satellite-network.js';
import { runStep } from './setup-step.js';

export interface ForegroundOptions {
  root: string;
  answersPath?: string;
  handshakeTimeoutMs: number;
  readyTimeoutMs: number;
  /** Progress lines (stderr of the command). */
  say(line: string): void;
  /** Where the poller's JSON log goes. */
  logStream: NodeJS.WritableStream;
  run?: RunTool;
  /** Extra poller variables from our own environment (USM_POLLER_* not set by the env file). */
  passEnv?: Record<string, string | undefined>;
}

export interface ReadyReport {
  answers: Answers;
  network: NetworkResult;
  snapshot: HealthSnapshot;
}

/**
 * `usm-appliance run`: tunnel, firewall and the poller as a child process,
 * in the foreground. SIGHUP re-reads the files and restarts what changed
 * (the poller drains first); SIGTERM drains the poller and takes the tunnel
 * down. A poller that dies is started again, like systemd's Restart=.
 */
export class ForegroundRunner {
  readonly #options: ForegroundOptions;
  #answers: Answers | undefined;
  #child: PollerChild | undefined;
  #wgConfig: string | undefined;
  #stopping = false;
  #busy: Promise<unknown> = Promise.resolve();

  constructor(options: ForegroundOptions) {
    this.#options = options;
  }

  get answers(): Answers | undefined {
    return this.#answers;
  }

  /** Brings everything up and waits until the poller consumes. On failure, what it started is stopped again. */
  async start(): Promise<ReadyReport> {
    const o = this.#options;
    this.#answers = await loadAppliedAnswers(o.root, o.answersPath);
    const layout = describeLayout(this.#answers);
    await writePidFile(underRoot(o.root, layout.runPidFile));
    // Until serve() takes over, a SIGTERM must not kill us half-way (orphaned poller, tunnel up,
    // stale pid file): note it, finish the bounded bring-up, then stop cleanly.
    let stopSignal: string | undefined;
    const noteStop = (signal: string) => {
      stopSignal ??= signal;
      o.say(`${signal} received during start-up: stopping once the current step ends`);
    };
    process.on('SIGTERM', noteStop);
    process.on('SIGINT', noteStop);
    try {
      const network = await bringNetworkUp({ root: o.root, answers: this.#answers, run: o.run, handshakeTimeoutMs: o.handshakeTimeoutMs, say: o.say }, true);
      this.#wgConfig = network.wgConfig;
      const snapshot = await this.#startPoller();
      if (stopSignal) throw new UsmError('E_STOPPED', `stopped by ${stopSignal} during start-up`);
      return { answers: this.#answers, network, snapshot };
    } catch (error) {
      await this.stop();
      throw error;
    } finally {
      process.off('SIGTERM', noteStop);
      process.off('SIGINT', noteStop);
    }
  }

  /** SIGHUP: drain the poller, apply changed files (tunnel, firewall), start the poller again. */
  reload(): Promise<ReadyReport | undefined> {
    const next = this.#busy.then(() => this.#reload());
    this.#busy = next.catch(() => undefined);
    return next;
  }

  async #reload(): Promise<ReadyReport | undefined> {
    if (this.#stopping) return undefined;
    const o = this.#options;
    o.say('reload: draining the poller');
    await this.#child?.stop();
    this.#child = undefined;
    const previous = this.#answers;
    this.#answers = await loadAppliedAnswers(o.root, o.answersPath);
    const target = tunnelTarget(o.root, this.#answers);
    const current = target ? await readFile(target.configHostPath, 'utf8') : undefined;
    const oldTarget = previous ? tunnelTarget(o.root, previous) : undefined;
    if (oldTarget && (!target || oldTarget.interfaceName !== target.interfaceName)) await bringTunnelDown(oldTarget.configHostPath, { run: o.run });
    const applied = this.#wgConfig;
    // Unknown until this bring-up succeeds: a failed one leaves the interface in an unknown state.
    this.#wgConfig = undefined;
    const network = await bringNetworkUp(
      { root: o.root, answers: this.#answers, run: o.run, handshakeTimeoutMs: o.handshakeTimeoutMs, say: o.say },
      applied === undefined || current !== applied,
    );
    this.#wgConfig = network.wgConfig;
    const snapshot = await this.#startPoller();
    return { answers: this.#answers, network, snapshot };
  }

  async #startPoller(): Promise<HealthSnapshot> {
    const o = this.#options;
    const answers = this.#answers!;
    const env = await readRuntimeEnv(o.root, answers);
    for (const [key, value] of Object.entries(o.passEnv ?? {})) {
      if (key.startsWith('USM_POLLER_') && value !== undefined && env[key] === undefined) env[key] = value;
    }
    const child = PollerChild.start(env, o.logStream);
    this.#child = child;
    void child.exited.then((code) => this.#onExit(child, code));
    const statusHostPath = env.USM_POLLER_STATUS_FILE ?? '';
    return runStep('poller', () => waitForHealthy({
      statusHostPath, timeoutMs: o.readyTimeoutMs, pid: child.pid, exited: child.exited, problems: () => child.problems(),
    }));
  }

  async #onExit(child: PollerChild, code: number | string): Promise<void> {
    if (this.#stopping || this.#child !== child) return;
    this.#options.say(`poller exited (${code}); starting it again in 2 s`);
    await sleep(2_000);
    if (this.#stopping || this.#child !== child) return;
    this.#busy = this.#busy.then(() => this.#startPoller()).catch((error: unknown) => {
      this.#options.say(`poller restart failed: ${describeError(error)}`);
    });
  }

  /** Drains the poller, takes the tunnel down, removes the pid file. The firewall stays: no ports open. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const o = this.#options;
    await this.#child?.stop();
    this.#child = undefined;
    if (this.#answers) {
      const target = tunnelTarget(o.root, this.#answers);
      if (target) await bringTunnelDown(target.configHostPath, { run: o.run ?? runTool });
      await removePidFile(underRoot(o.root, describeLayout(this.#answers).runPidFile));
    }
  }

  /** Resolves when SIGTERM/SIGINT arrived and everything stopped; SIGHUP reloads. */
  async serve(): Promise<void> {
    const o = this.#options;
    await new Promise<void>((resolve) => {
      const onHup = () => {
        this.reload().then(
          (report) => report && o.say(`reload: done; poller ${report.snapshot.pid} consuming ${report.snapshot.queue}`),
          (error: unknown) => o.say(`reload failed: ${error instanceof UsmError ? error.message : describeError(error)}`),
        );
      };
      const onStop = () => {
        process.off('SIGHUP', onHup);
        process.off('SIGTERM', onStop);
        process.off('SIGINT', onStop);
        o.say('stopping: draining the poller');
        this.#busy.then(() => this.stop()).then(resolve, () => resolve());
      };
      process.on('SIGHUP', onHup);
      process.on('SIGTERM', onStop);
      process.on('SIGINT', onStop);
    });
  }
}
