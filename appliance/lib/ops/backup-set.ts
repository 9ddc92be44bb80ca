import { lstat, readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { UsmError } from '../../../common/usm-error.js';
import { underRoot } from '../plan/file-plan.js';
import type { BackupEntry } from './backup-archive.js';

/**
 * What a backup holds, as paths on the target system. Everything that setup
 * writes and that cannot be derived again: the appliance's configuration and
 * state (the core's satellite registry, keys, TLS), the tunnel, the compose
 * project with its environment file, the core's RabbitMQ TLS files, the units.
 * Missing ones are skipped: a core has no compose project, a satellite no TLS CA.
 */
export const BACKUP_SOURCES: ReadonlyArray<{ path: string; match?: RegExp }> = [
  { path: '/etc/usm-appliance' },
  { path: '/var/lib/usm-appliance' },
  { path: '/etc/wireguard', match: /^usm[A-Za-z0-9_=+.-]*\.conf$/ },
  { path: '/opt/usm_poller' },
  { path: '/etc/rabbitmq/usm-tls' },
  { path: '/etc/systemd/system', match: /^usm-[A-Za-z0-9_.@-]+\.(service|timer)$/ },
];

const MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Why restore must refuse this archive entry, or null when it is one that
 * `collectBackupEntries` could have produced: a normalized absolute path at or
 * under a whole-tree source, or a file directly in a filtered source whose
 * name matches. Pure. An archive is input (a plain one can be edited by
 * anyone who can write the file), so this is what keeps a restore as root
 * from writing /root/.ssh/authorized_keys.
 */
export function checkBackupEntryPath(path: string, type: 'file' | 'dir', sources = BACKUP_SOURCES): string | null {
  if (!path.startsWith('/') || path.length === 1) return 'not an absolute path below /';
  if (/[\x00-\x1f\x7f]/.test(path)) return 'contains control characters';
  if (path.endsWith('/') || posix.normalize(path) !== path || path.split('/').some((part) => part === '.' || part === '..')) {
    return 'not a normalized path (no //, ., .. or trailing /)';
  }
  for (const source of sources) {
    if (source.match) {
      if (dirname(path) === source.path && source.match.test(basename(path))) return type === 'file' ? null : `a directory where ${source.path} holds only files`;
    } else if (path === source.path || path.startsWith(`${source.path}/`)) {
      return null;
    }
  }
  return 'outside the backup set';
}

/** The source an in-set path belongs to (the top directory restore must not see through a link). */
export function backupSourceOf(path: string, sources = BACKUP_SOURCES): string | null {
  for (const source of sources) {
    if (source.match ? dirname(path) === source.path : path === source.path || path.startsWith(`${source.path}/`)) return source.path;
  }
  return null;
}

/** Reads every file of the backup set under `root`. Symbolic links and special files are refused, not followed. */
export async function collectBackupEntries(root: string, sources = BACKUP_SOURCES): Promise<BackupEntry[]> {
  const entries: BackupEntry[] = [];
  for (const source of sources) {
    const info = await lstatOrNull(underRoot(root, source.path));
    if (!info) continue;
    if (source.match) {
      if (!info.isDirectory()) continue;
      for (const name of (await readdir(underRoot(root, source.path))).sort()) {
        if (source.match.test(name)) await addTree(root, join(source.path, name), entries, false);
      }
    } else {
      await addTree(root, source.path, entries, true);
    }
  }
  return entries;
}

async function addTree(root: string, path: string, entries: BackupEntry[], recurse: boolean): Promise<void> {
  const hostPath = underRoot(root, path);
  const info = await lstat(hostPath);
  // Permission bits only: restore never sets setuid, setgid or sticky bits either.
  const owner = { mode: info.mode & 0o777, uid: info.uid, gid: info.gid };
  if (info.isFile()) {
    if (info.size > MAX_FILE_BYTES) throw new UsmError('E_BACKUP', `${path}: ${info.size} bytes is larger than a configuration file can be (limit ${MAX_FILE_BYTES})`);
    entries.push({ path, type: 'file', ...owner, data: await readFile(hostPath) });
  } else if (info.isDirectory() && recurse) {
    entries.push({ path, type: 'dir', ...owner });
    for (const name of (await readdir(hostPath)).sort()) await addTree(root, join(path, name), entries, true);
  } else if (!info.isDirectory()) {
    // A link could point anywhere (a backup of /etc/shadow is not what anyone asked for).
    throw new UsmError('E_BACKUP', `${path}: not a regular file (links and special files are not backed up); remove or replace it`);
  }
}

async function lstatOrNull(path: string) {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
