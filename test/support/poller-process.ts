import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../poller/bin.ts', import.meta.url));

export interface LogRecord {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A real usm-poller process (TypeScript through tsx), its JSON log parsed line by line. */
export interface PollerProcess {
  child: ChildProcess;
  records: LogRecord[];
  /** Everything the process printed, raw: for "no secret anywhere" checks. */
  output(): string;
  waitForLog(match: (record: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  /** Sends the signal and resolves with the exit code (or the signal name). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
}

export async function startPoller(env: Record<string, string>, options: { waitConnected?: boolean } = {}): Promise<PollerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', USM_POLLER_LOG_LEVEL: 'debug', USM_POLLER_RECONNECT_MAX_MS: '2000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const records: LogRecord[] = [];
  let raw = '';
  let pending = '';
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    raw += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      try {
        records.push(JSON.parse(line) as LogRecord);
      } catch {
        // not JSON: kept in raw output only
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { raw += chunk; });
  const exited = once(child, 'exit');

  const proc: PollerProcess = {
    child,
    records,
    output: () => raw,
    waitForLog(match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = records.find(match);
          if (found) {
            cleanup();
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`poller log line not seen within ${timeoutMs} ms; output:\n${raw.slice(-3000)}`));
        }, timeoutMs);
        const cleanup = () => { clearTimeout(timer); waiters.delete(check); };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode!;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const [code, sig] = (await exited) as [number | null, string | null];
      clearTimeout(timer);
      return code ?? sig ?? -1;
    },
  };
  if (options.waitConnected !== false) {
    try {
      await proc.waitForLog((r) => r.msg === 'connected and consuming');
    } catch (error) {
      await proc.stop('SIGKILL');
      throw error;
    }
  }
  return proc;
}
