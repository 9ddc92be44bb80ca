import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** A helper process of the benchmark (bench/proc/*.ts): started through tsx, ready when it prints its first line. */
export interface BenchChild {
  pid: number;
  /** The first line it printed (e.g. JSON with the ports it bound). */
  readyLine: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startBenchChild(script: string, args: readonly string[], options: { netns?: string; timeoutMs?: number; cpuProfDir?: string | undefined } = {}): Promise<BenchChild> {
  const path = fileURLToPath(new URL(`../proc/${script}`, import.meta.url));
  const prof = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [];
  const nodeArgv = [process.execPath, '--import', 'tsx', ...prof, path, ...args];
  const [file, argv] = options.netns ? ['ip', ['netns', 'exec', options.netns, ...nodeArgv]] : [nodeArgv[0]!, nodeArgv.slice(1)];
  const child: ChildProcess = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  child.on('error', () => {});
  let raw = '';
  child.stdout!.on('data', (chunk: Buffer) => { raw += chunk.toString('utf8'); });
  child.stderr!.on('data', (chunk: Buffer) => { raw += chunk.toString('utf8'); });
  const exited = once(child, 'exit').catch(() => undefined);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (!raw.includes('\n')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`bench/proc/${script} did not start (exit ${child.exitCode ?? 'none'}):\n${raw.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { pid: child.pid!, readyLine: raw.slice(0, raw.indexOf('\n')), output: () => raw, stop };
}
