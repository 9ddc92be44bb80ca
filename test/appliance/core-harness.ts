import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { createSilentLogger } from '../../common/logger.js';
import { runCli } from '../../appliance/lib/cli/run-cli.js';
import { listCoreCommands } from '../../appliance/lib/commands/core-commands.js';

/** Shared by the core-*.test.ts files: run `usm-appliance core ...` in-process and look at what it left on disk. */

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Runs one CLI invocation through the real command table (argv starts after `usm-appliance`). */
export async function runCore(argv: readonly string[], env: Record<string, string | undefined> = process.env): Promise<CliResult> {
  const out = collector();
  const err = collector();
  const code = await runCli(listCoreCommands(), argv, { stdout: out.stream, stderr: err.stream, env, interactive: false, log: createSilentLogger() }, 'test');
  return { code, stdout: out.text(), stderr: err.text() };
}

export async function makeRoot(label = 'core'): Promise<string> {
  return mkdtemp(join(tmpdir(), `usm-${label}-`));
}

export async function removeRoot(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

/** Every path under dir (relative) with its mode and a hash of its content: compare before/after to prove nothing was written. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (path: string): Promise<void> => {
    for (const entry of await readdir(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      const info = await stat(full);
      const mode = (info.mode & 0o777).toString(8);
      if (entry.isDirectory()) {
        out[`${relative(dir, full)}/`] = mode;
        await walk(full);
      } else {
        out[relative(dir, full)] = `${mode} ${createHash('sha256').update(await readFile(full)).digest('hex')} ${info.mtimeMs}`;
      }
    }
  };
  await walk(dir);
  return out;
}

export async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

export const STATE = 'etc/usm-appliance/core.yaml';
export const HUB = 'etc/wireguard/usm0.conf';
export const enrollment = (id: string) => `etc/usm-appliance/satellites/${id}.yaml`;
