import type { Executor, ExecutorGroup, ExecutorOptions, Outcome } from '../executor.js';
import { failed } from '../executor.js';
import type { IcmpParams } from './icmp-params.js';
import { checkIcmpTarget, icmpParamsSchema, listHosts } from './icmp-params.js';
import { planPings } from './icmp-args.js';
import { ReplyTally } from './reply-tally.js';
import type { IcmpToolPaths } from './icmp-tool.js';
import { createToolChooser, ICMP_PERMISSION_MESSAGE } from './icmp-tool.js';
import { runFpingSweep } from './fping-sweep.js';
import { runPingSweep } from './ping-sweep.js';

export interface IcmpExecutorSettings extends IcmpToolPaths {
  /** Ping processes run at once in the fallback path. Default 64. */
  pingConcurrency?: number;
}

/** Partial data is rebuilt at most this often while echoes stream in. */
const PARTIAL_EVERY_MS = 200;
/** ...and once just before the deadline, so a timeout reports the latest echoes. */
const PARTIAL_BEFORE_DEADLINE_MS = 30;

/**
 * `icmp.ping`: one target, or a sweep of up to 4,096 `hosts` in one fping
 * process. Silent, unreachable and unresolvable hosts are ok results with
 * `alive: false`; only a tool that cannot run at all makes an error outcome.
 */
export function createIcmpExecutors(options: ExecutorOptions, settings: IcmpExecutorSettings = {}): ExecutorGroup {
  const closing = new AbortController();
  const running = new Set<Promise<Outcome>>();
  const chooseTool = createToolChooser(settings, options.log, closing.signal);
  const concurrency = settings.pingConcurrency ?? 64;

  const icmpPing: Executor<IcmpParams> = {
    type: 'icmp.ping',
    params: icmpParamsSchema,
    requiresTarget: false,
    check: checkIcmpTarget,
    run(job, ctx) {
      const hosts = listHosts(job.target, job.params);
      const tally = new ReplyTally(hosts);
      const publish = () => {
        if (tally.takeChanged()) ctx.setPartial({ hosts: tally.snapshot() });
      };
      publish();
      const every = setInterval(publish, PARTIAL_EVERY_MS);
      const last = setTimeout(publish, Math.max(0, ctx.deadline - Date.now() - PARTIAL_BEFORE_DEADLINE_MS));
      const signal = AbortSignal.any([ctx.signal, closing.signal]);

      const work = (async (): Promise<Outcome> => {
        if (closing.signal.aborted) return failed('E_INTERNAL', 'the icmp executor is shut down');
        const choice = await chooseTool();
        if (!choice.ok) return failed(choice.code, choice.message);
        const plan = planPings(job.params, hosts.length, ctx.deadline - Date.now());
        const run = { hosts, signal, childTimeoutMs: Math.max(1, ctx.deadline - Date.now()) + 1000 };
        const outcome =
          choice.tool.kind === 'fping'
            ? await runFpingSweep(choice.tool.path, plan, run, tally)
            : await runPingSweep(choice.tool.path, plan, run, tally, concurrency);
        switch (outcome.kind) {
          case 'done':
            return { status: 'ok', data: { hosts: outcome.results } };
          case 'killed':
            publish();
            return failed('E_TIMEOUT', `${choice.tool.kind} did not finish within the job budget`, { hosts: tally.snapshot() });
          case 'permission':
            ctx.log.warn({ detail: outcome.detail }, 'icmp: no ICMP socket');
            return failed('E_ICMP_PERMISSION', ICMP_PERMISSION_MESSAGE);
          case 'failed':
            return failed('E_ICMP_FAILED', outcome.detail);
        }
      })().finally(() => {
        clearInterval(every);
        clearTimeout(last);
        running.delete(work);
      });
      running.add(work);
      return work;
    },
  };

  return {
    executors: [icmpPing],
    async close() {
      closing.abort(new Error('icmp executors closing'));
      await Promise.allSettled([...running]);
    },
  };
}
