import type { PingPlan } from './icmp-args.js';
import { buildPingArgs } from './icmp-args.js';
import { runChild } from './icmp-child.js';
import type { HostResult } from './host-result.js';
import { hasPingStatistics, isPingPermissionError, isPingUnknownHost, parsePingEchoLine, parsePingOutput } from './ping-output.js';
import type { ReplyTally } from './reply-tally.js';
import type { SweepOutcome, SweepRun } from './sweep-outcome.js';
import { lastLines } from './sweep-outcome.js';

/**
 * Fallback where fping is missing or cannot see replies: iputils ping, one
 * process per host, at most `concurrency` at a time. The first permission
 * error stops the rest, since every other host would fail the same way.
 */
export async function runPingSweep(
  pingPath: string,
  plan: PingPlan,
  run: SweepRun,
  tally: ReplyTally,
  concurrency: number,
): Promise<SweepOutcome> {
  const stop = new AbortController();
  const signal = AbortSignal.any([run.signal, stop.signal]);
  const results: HostResult[] = new Array(run.hosts.length);
  let stopped: SweepOutcome | undefined;
  let next = 0;

  const pingOne = async (index: number): Promise<void> => {
    const host = run.hosts[index]!;
    const exit = await runChild({
      file: pingPath,
      args: buildPingArgs(plan, host),
      signal,
      timeoutMs: run.childTimeoutMs,
      onStdoutLine(line) {
        const echo = parsePingEchoLine(line);
        if (echo) tally.recordEcho(host, echo.seq - 1, echo.rttMs);
      },
    });
    if (stopped) return;
    const text = `${exit.stdout}\n${exit.stderr}`;
    if (exit.spawnError !== undefined) stopped = { kind: 'failed', detail: `cannot start ${pingPath}: ${exit.spawnError}` };
    else if (exit.killed) stopped = { kind: 'killed' };
    else if (isPingPermissionError(text)) stopped = { kind: 'permission', detail: lastLines(exit.stderr) };
    else if (!hasPingStatistics(text) && !isPingUnknownHost(host, text)) {
      stopped = { kind: 'failed', detail: `ping exited with ${exit.exitCode ?? 'a signal'}: ${lastLines(exit.stderr) || 'no message'}` };
    } else {
      // No statistics here means an unknown name; parsePingOutput makes it a silent host with sent 0.
      results[index] = parsePingOutput(host, text);
      tally.recordResult(results[index]);
      return;
    }
    stop.abort();
  };

  const worker = async (): Promise<void> => {
    while (!stopped && !signal.aborted && next < run.hosts.length) await pingOne(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, run.hosts.length) }, worker));
  if (stopped) return stopped;
  if (signal.aborted) return { kind: 'killed' };
  return { kind: 'done', results };
}
