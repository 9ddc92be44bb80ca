import type { PingPlan } from './icmp-args.js';
import { buildFpingArgs, buildFpingInput } from './icmp-args.js';
import { runChild } from './icmp-child.js';
import { isFpingPermissionError, parseFpingEchoLine, resultsFromFpingSummary } from './fping-output.js';
import type { ReplyTally } from './reply-tally.js';
import type { SweepOutcome, SweepRun } from './sweep-outcome.js';
import { lastLines } from './sweep-outcome.js';

/**
 * One fping process for the whole batch (up to 4,096 hosts), hosts on stdin.
 * Exit codes 0 (all alive), 1 (some silent) and 2 (some names unknown) all
 * carry a valid summary; 3 is bad arguments, 4 a failed system call.
 */
export async function runFpingSweep(fpingPath: string, plan: PingPlan, run: SweepRun, tally: ReplyTally): Promise<SweepOutcome> {
  const exit = await runChild({
    file: fpingPath,
    args: buildFpingArgs(plan),
    input: buildFpingInput(run.hosts),
    signal: run.signal,
    timeoutMs: run.childTimeoutMs,
    onStdoutLine(line) {
      const echo = parseFpingEchoLine(line);
      if (echo) tally.recordEcho(echo.host, echo.seq, echo.rttMs);
    },
  });
  if (exit.spawnError !== undefined) return { kind: 'failed', detail: `cannot start ${fpingPath}: ${exit.spawnError}` };
  if (exit.killed) return { kind: 'killed' };
  if (isFpingPermissionError(exit.stderr)) return { kind: 'permission', detail: lastLines(exit.stderr) };
  if (exit.exitCode === undefined || exit.exitCode > 2) {
    return { kind: 'failed', detail: `fping exited with ${exit.exitCode ?? 'a signal'}: ${lastLines(exit.stderr) || 'no message'}` };
  }
  return { kind: 'done', results: resultsFromFpingSummary(run.hosts, exit.stderr) };
}
