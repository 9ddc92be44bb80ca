import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** How to start the poller that ships with this appliance (source through tsx in development, dist otherwise). */
export function resolvePollerCommand(): { file: string; args: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    return { file: process.execPath, args: ['--import', 'tsx', join(packageRoot(), 'poller', 'bin.ts')] };
  }
  return { file: process.execPath, args: [join(dirname(here), '..', '..', '..', 'poller', 'bin.js')] };
}

/** dist/poller/bin.js of this package: what the systemd unit runs. */
export function resolvePollerScript(): string {
  return join(packageRoot(), 'dist', 'poller', 'bin.js');
}

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dir !== dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'poller'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

const TAIL_LINES = 80;

/**
 * The poller as a child process with exactly the environment file's
 * variables (plus PATH). Its JSON log goes to `logStream` line by line; the
 * last lines are kept to explain a failure.
 */
export class PollerChild {
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;
  readonly #tail: string[] = [];

  private constructor(child: ChildProcess, logStream: NodeJS.WritableStream) {
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
    child.on('error', () => {});
    let pending = '';
    const take = (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        this.#tail.push(line);
        if (this.#tail.length > TAIL_LINES) this.#tail.shift();
        logStream.write(`${line}\n`);
      }
    };
    child.stdout?.setEncoding('utf8').on('data', take);
    child.stderr?.setEncoding('utf8').on('data', take);
  }

  static start(env: Record<string, string>, logStream: NodeJS.WritableStream): PollerChild {
    const command = resolvePollerCommand();
    const child = spawn(command.file, command.args, {
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new PollerChild(child, logStream);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM lets the poller drain (finish and ack jobs in flight); SIGKILL after the timeout. */
  async stop(timeoutMs = 60_000): Promise<number | string> {
    if (this.running) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Warnings and errors of the poller's log, as one line each (the poller already redacts secrets). */
  problems(limit = 5): string[] {
    const out: string[] = [];
    for (const line of this.#tail) {
      try {
        const record = JSON.parse(line) as { level?: number; msg?: string; err?: unknown; error?: unknown };
        if ((record.level ?? 0) >= 40) out.push(`${record.msg ?? ''}${record.err ? `: ${describe(record.err)}` : record.error ? `: ${describe(record.error)}` : ''}`);
      } catch {
        if (line.trim() !== '') out.push(line.trim());
      }
    }
    return out.slice(-limit);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'message' in value) return String((value as { message: unknown }).message);
  return JSON.stringify(value);
}
