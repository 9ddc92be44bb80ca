import { chmod, chown, lstat, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../../../common/atomic-file.js';
import { UsmError, describeError } from '../../../common/usm-error.js';
import { renderChangeDiff, underRoot, type FileChange } from '../plan/file-plan.js';
import type { BackupEntry } from './backup-archive.js';

export type RestoreAction = 'create' | 'unchanged' | 'chmod' | 'differs' | 'mkdir' | 'exists';

export interface RestoreItem {
  entry: BackupEntry;
  hostPath: string;
  action: RestoreAction;
  previous: Buffer | null;
  previousMode: number | null;
}

/** Compares each archived entry with what is under `root`. Reads only. */
export async function planRestore(root: string, entries: readonly BackupEntry[]): Promise<RestoreItem[]> {
  const items: RestoreItem[] = [];
  for (const entry of entries) {
    const hostPath = underRoot(root, entry.path);
    const info = await lstat(hostPath).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (entry.type === 'dir') {
      if (info && !info.isDirectory()) throw new UsmError('E_RESTORE', `${entry.path}: the archive has a directory, ${hostPath} is not one`);
      items.push({ entry, hostPath, action: info ? 'exists' : 'mkdir', previous: null, previousMode: info ? info.mode & 0o7777 : null });
      continue;
    }
    if (!info) {
      items.push({ entry, hostPath, action: 'create', previous: null, previousMode: null });
      continue;
    }
    if (!info.isFile()) throw new UsmError('E_RESTORE', `${entry.path}: ${hostPath} exists and is not a regular file`);
    const previous = await readFile(hostPath);
    const previousMode = info.mode & 0o7777;
    const action: RestoreAction = !previous.equals(entry.data ?? Buffer.alloc(0)) ? 'differs' : previousMode !== entry.mode ? 'chmod' : 'unchanged';
    items.push({ entry, hostPath, action, previous, previousMode });
  }
  return items;
}

/** What --dry-run prints: one line per entry, then masked diffs of the files that differ. Pure. */
export function renderRestorePlan(items: readonly RestoreItem[]): string {
  const lines = items.map((item) => {
    const mode = `0${item.entry.mode.toString(8).padStart(3, '0')}`;
    const note = item.action === 'chmod' ? ` (mode 0${(item.previousMode ?? 0).toString(8)} -> ${mode})` : '';
    return `  ${item.action.padEnd(9)} ${mode} ${item.entry.path}${note}`;
  });
  const diffs = items.filter((item) => item.action === 'differs').map((item) => renderChangeDiff(asTextChange(item))).filter(Boolean);
  return [`Restore:`, ...lines, '', ...diffs].join('\n');
}

/**
 * Writes the plan: directories first (with their modes), then files
 * atomically with their modes (and owners when running as root). Files that
 * differ are refused unless `force`. A failure puts back what was written.
 */
export async function applyRestore(items: readonly RestoreItem[], options: { force: boolean; chownToArchived: boolean }): Promise<number> {
  const differing = items.filter((item) => item.action === 'differs');
  if (differing.length > 0 && !options.force) {
    throw new UsmError('E_RESTORE_CONFLICT', `${differing.length} file(s) exist with other content; nothing was changed (see --dry-run, or use --force to replace them):`, {
      problems: differing.map((item) => item.entry.path),
    });
  }
  const done: RestoreItem[] = [];
  try {
    for (const item of items) {
      const { entry } = item;
      if (entry.type === 'dir') {
        if (item.action === 'mkdir') {
          await mkdir(item.hostPath, { recursive: true, mode: entry.mode });
          await chmod(item.hostPath, entry.mode);
          if (options.chownToArchived) await chown(item.hostPath, entry.uid, entry.gid);
        }
        continue;
      }
      if (item.action === 'unchanged') continue;
      if (item.action === 'chmod') await chmod(item.hostPath, entry.mode);
      else await writeFileAtomic(item.hostPath, entry.data ?? Buffer.alloc(0), { mode: entry.mode, dirMode: 0o755 });
      done.push(item);
      if (options.chownToArchived) await chown(item.hostPath, entry.uid, entry.gid);
    }
  } catch (error) {
    await rollBack(done);
    throw new UsmError('E_RESTORE', `could not restore ${items.find((i) => !done.includes(i) && i.entry.type === 'file' && i.action !== 'unchanged')?.entry.path ?? 'a file'}: ${describeError(error)}; files written so far were put back`, { cause: error });
  }
  return done.length;
}

async function rollBack(done: readonly RestoreItem[]): Promise<void> {
  for (const item of [...done].reverse()) {
    if (item.previous === null) await rm(item.hostPath, { force: true });
    else {
      await mkdir(dirname(item.hostPath), { recursive: true });
      await writeFileAtomic(item.hostPath, item.previous, { mode: item.previousMode ?? item.entry.mode });
    }
  }
}

function asTextChange(item: RestoreItem): FileChange {
  return {
    path: item.entry.path, hostPath: item.hostPath, mode: item.entry.mode, action: 'update',
    content: item.entry.data?.toString('utf8') ?? '', previous: item.previous?.toString('utf8') ?? '', previousMode: item.previousMode,
  };
}
