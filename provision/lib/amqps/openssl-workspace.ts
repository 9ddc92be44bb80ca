import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { UsmError } from '../../../common/usm-error.js';

/**
 * A private temp directory (0700) where the openssl CLI works on keys and
 * certificates. Keys go to OpenSSL as 0600 files here, never as argv, and the
 * directory is removed when the work is done, whatever happens.
 */
export interface OpensslWorkspace {
  dir: string;
  writeSecret(name: string, data: string): Promise<string>;
  read(name: string): Promise<string>;
  run(args: readonly string[]): Promise<void>;
}

const OPENSSL_TIMEOUT_MS = 30_000;

export async function withOpensslWorkspace<T>(work: (space: OpensslWorkspace) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'usm-pki-'));
  const space: OpensslWorkspace = {
    dir,
    async writeSecret(name, data) {
      const path = join(dir, name);
      await writeFile(path, data, { mode: 0o600, flag: 'wx' });
      return path;
    },
    read: (name) => readFile(join(dir, name), 'utf8'),
    async run(args) {
      const result = await execa('openssl', args, {
        cwd: dir,
        timeout: OPENSSL_TIMEOUT_MS,
        reject: false,
        stdin: 'ignore',
        env: { OPENSSL_CONF: join(dir, 'none.cnf') },
      });
      if (result.exitCode !== 0 || result.timedOut) {
        // stderr of openssl names files and options, never key material.
        const detail = result.timedOut ? 'timed out' : String(result.stderr).trim().split('\n').slice(0, 3).join(' | ');
        throw new UsmError('E_PKI', `openssl ${args[0] ?? ''} failed: ${detail || `exit code ${String(result.exitCode)}`}`);
      }
    },
  };
  try {
    await writeFile(join(dir, 'none.cnf'), '# no system defaults\n', { mode: 0o600 });
    return await work(space);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
