import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../../../common/atomic-file.js';

/** The pid in the file when that process is alive, else null. */
export async function readLivePid(hostPath: string): Promise<number | null> {
  let pid: number;
  try {
    pid = Number((await readFile(hostPath, 'utf8')).trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

export async function writePidFile(hostPath: string): Promise<void> {
  await writeFileAtomic(hostPath, `${process.pid}\n`, { mode: 0o644 });
}

export async function removePidFile(hostPath: string): Promise<void> {
  const pid = await readFile(hostPath, 'utf8').catch(() => '');
  if (Number(pid.trim()) === process.pid) await rm(hostPath, { force: true });
}
