import { chmod, chown, lstat, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../../common/atomic-file.js';
import { UsmError, describeError } from '../../../common/usm-error.js';
import { renderChangeDiff, underRoot, type FileChange } from '../plan/file-plan.js';
import type { BackupEntry } from './backup-archive.js';
import { backupSourceOf, checkBackupEntryPath } from './backup-set.js';

/** Permission bits only: an archive cannot make a setuid, setgid or sticky file or directory. */
export const RESTORE_MODE_MASK = 0o777;

export type RestoreAction = 'create' | 'unchanged' | 'chmod' | 'differs' | 'mkdir' | 'exists';

export interface RestoreItem {
  entry: BackupEntry;
  hostPath: string;
  action: RestoreAction;
  previous: Buffer | null;
  previousMode: number | null;
}

/**
 * Compares each archived entry with what is under `root`. Reads only.
 * Refuses the whole archive, naming the entries, when one lies outside the
 * backup set or when a directory on the way is a symbolic link (writing
 * through it would land outside the set).
 */
export async function planRestore(root: string, archived: readonly BackupEntry[]): Promise<RestoreItem[]> {
  const outside = archived.flatMap((entry) => {
    const problem = checkBackupEntryPath(entry.path, entry.type);
    return problem === null ? [] : [`${JSON.stringify(entry.path)}: ${problem}`];
  });
  if (outside.length > 0) {
    throw new UsmError('E_RESTORE_OUTSIDE', `the archive names ${outside.length} entr${outside.length === 1 ? 'y' : 'ies'} that a backup never holds; nothing was changed (was it made by usm-appliance backup?):`, { problems: outside });
  }
  const entries = archived.map((entry) => ({ ...entry, mode: entry.mode & RESTORE_MODE_MASK }));
  const links = new Set<string>();
  for (const entry of entries) for (const link of await findLinksOnTheWay(root, entry.path)) links.add(link);
  if (links.size > 0) {
    throw new UsmError('E_RESTORE', 'a directory of the backup set is a symbolic link; restore does not write through links (replace it with a directory):', { problems: [...links] });
  }
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
      const entry = { ...item.entry, mode: item.entry.mode & RESTORE_MODE_MASK };
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

/** The directories from the entry's source down to the entry's parent that are symbolic links under `root`. */
async function findLinksOnTheWay(root: string, path: string): Promise<string[]> {
  const source = backupSourceOf(path);
  if (source === null) return [];
  const links: string[] = [];
  let current = source;
  const below = path === source ? [] : path.slice(source.length + 1).split('/').slice(0, -1);
  for (const part of [null, ...below]) {
    if (part !== null) current = join(current, part);
    const info = await lstat(underRoot(root, current)).catch(() => null);
    if (!info) break;
    if (info.isSymbolicLink()) links.push(current);
  }
  return links;
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
