import { createInterface } from 'node:readline';
import { execa } from 'execa';

export interface ChildRun {
  file: string;
  args: readonly string[];
  input?: string;
  /** Kills the child (SIGKILL) when aborted: the job deadline or the group closing. */
  signal: AbortSignal;
  /** Safety net should the signal never fire. */
  timeoutMs: number;
  onStdoutLine?(line: string): void;
  /** Collected for the final parse as well as streamed. */
  onStderrLine?(line: string): void;
}

export interface ChildExit {
  pid: number | undefined;
  exitCode: number | undefined;
  /** The child was killed because of the signal or the timeout. */
  killed: boolean;
  stdout: string;
  stderr: string;
  /** Spawn failure (missing file, EACCES), else undefined. */
  spawnError: string | undefined;
}

/**
 * Runs one fping/ping process: argv array, C locale (the parsers read English
 * messages), line streaming on both pipes. Resolves only after the process has
 * exited and been reaped, so no zombie outlives a run; SIGKILL because neither
 * tool forks and their partial summaries are not needed (the tally has them).
 */
export async function runChild(run: ChildRun): Promise<ChildExit> {
  const subprocess = execa(run.file, run.args, {
    input: run.input ?? '',
    cancelSignal: run.signal,
    timeout: run.timeoutMs,
    killSignal: 'SIGKILL',
    forceKillAfterDelay: false,
    reject: false,
    buffer: false,
    stripFinalNewline: false,
    // Not the poller's environment: it holds US_AMQP_DSN (the broker password) and other secrets a child has no use for.
    extendEnv: false,
    env: childEnv(),
  });
  const pid = subprocess.pid;
  const stdout: string[] = [];
  const stderr: string[] = [];
  const pipes = [
    readLines(subprocess.stdout, (line) => {
      stdout.push(line);
      run.onStdoutLine?.(line);
    }),
    readLines(subprocess.stderr, (line) => {
      stderr.push(line);
      run.onStderrLine?.(line);
    }),
  ];
  const result = await subprocess;
  await Promise.all(pipes);
  const killed = result.isCanceled || result.timedOut || (result.signal !== undefined && result.exitCode === undefined);
  return {
    pid,
    exitCode: result.exitCode,
    killed,
    stdout: stdout.join('\n'),
    stderr: stderr.join('\n'),
    spawnError: pid === undefined ? result.shortMessage : undefined,
  };
}

// Where fping/ping and a distribution's wrappers find their helpers when the poller runs without a PATH.
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The whole environment of a child: PATH and the C locale (the parsers read English messages), nothing else. */
export function childEnv(parent: NodeJS.ProcessEnv = process.env): { PATH: string; LC_ALL: string } {
  return { PATH: parent.PATH || DEFAULT_PATH, LC_ALL: 'C' };
}

function readLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve) => {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', onLine);
    lines.on('close', () => resolve());
    stream.on('error', () => resolve());
  });
}
