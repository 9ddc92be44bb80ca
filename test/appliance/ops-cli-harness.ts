import { PassThrough } from 'node:stream';
import { createSilentLogger } from '../../common/logger.js';
import { main } from '../../appliance/index.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs usm-appliance in this process with captured streams (the real command table, real files). */
export async function runAppliance(argv: readonly string[], env: Record<string, string | undefined> = process.env): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const saved = process.exitCode;
  const code = await main({ argv, stdout, stderr, env, interactive: false, log: createSilentLogger() });
  process.exitCode = saved;
  return { code, stdout: out, stderr: err };
}
