import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const POLLER_BIN = fileURLToPath(new URL('../../poller/bin.ts', import.meta.url));

export interface BenchPollerOptions {
  env: Record<string, string>;
  /** Run inside this network namespace (`ip netns exec`, which execs: the pid stays the poller's). */
  netns?: string;
  /** Write a CPU profile here when the process exits (node --cpu-prof). */
  cpuProfDir?: string | undefined;
  /** A compiled poller (bench/lib/poller-build.ts) to run with plain node; default: the sources through tsx. */
  bin?: string | undefined;
  label?: string;
}

/** A real usm-poller process for benchmarks: info-level logs (no per-job lines), pid for /proc. */
export interface BenchPoller {
  pid: number;
  label: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startBenchPoller(options: BenchPollerOptions): Promise<BenchPoller> {
  const nodeArgs = [
    ...(options.bin ? [] : ['--import', 'tsx']),
    ...(options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : []),
    options.bin ?? POLLER_BIN,
  ];
  const [file, args] = options.netns
    ? ['ip', ['netns', 'exec', options.netns, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const child: ChildProcess = spawn(file, args as string[], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', USM_POLLER_LOG_LEVEL: 'info', USM_POLLER_RECONNECT_MAX_MS: '2000', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.on('error', () => {});
  let raw = '';
  const keep = (chunk: Buffer) => {
    raw += chunk.toString('utf8');
    if (raw.length > 200_000) raw = raw.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = once(child, 'exit').catch(() => undefined);
  const label = options.label ?? 'poller';

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 30_000;
  while (!raw.includes('"connected and consuming"')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${label} did not connect (exit ${child.exitCode ?? 'none'}):\n${raw.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { pid: child.pid!, label, output: () => raw, stop };
}
