import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../../../common/atomic-file.js';

/**
 * The pid in the file when that process is alive AND is a `usm-appliance run`, else null.
 * After a reboot or a SIGKILL the file is stale and its pid may belong to anything (pid 1 in a
 * container): signalling it would kill an unrelated process, so the command line is checked.
 */
export async function readLivePid(hostPath: string): Promise<number | null> {
  let pid: number;
  try {
    pid = Number((await readFile(hostPath, 'utf8')).trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return null;
  let argv: string[];
  try {
    argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
  } catch {
    return null; // no such process
  }
  return isForegroundRunner(argv) ? pid : null;
}

/**
 * Pure: does this argv look like our foreground runner: `usm-appliance run`, or `usm-appliance setup`
 * (setup --service foreground keeps running as the runner), started directly or through node?
 */
export function isForegroundRunner(argv: readonly string[]): boolean {
  const entry = argv.findIndex((arg) => /(^|\/)usm-appliance$|appliance\/bin\.(js|ts)$/.test(arg));
  const command = entry >= 0 ? argv.slice(entry + 1).find((arg) => !arg.startsWith('-')) : undefined;
  return command === 'run' || command === 'setup';
}

export async function writePidFile(hostPath: string): Promise<void> {
  await writeFileAtomic(hostPath, `${process.pid}\n`, { mode: 0o644 });
}

export async function removePidFile(hostPath: string): Promise<void> {
  const pid = await readFile(hostPath, 'utf8').catch(() => '');
  if (Number(pid.trim()) === process.pid) await rm(hostPath, { force: true });
}
