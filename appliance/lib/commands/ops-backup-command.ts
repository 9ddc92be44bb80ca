import { hostname } from 'node:os';
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../../../common/atomic-file.js';
import { UsmError, describeError } from '../../../common/usm-error.js';
import { readPackageVersion } from '../../../poller/lib/config/package-version.js';
import type { Command, CommandIo } from '../cli/command.js';
import { parseFlags } from '../cli/parse-flags.js';
import { decodeBackup, encodeBackup, isEncryptedBackup } from '../ops/backup-archive.js';
import { BACKUP_SOURCES, collectBackupEntries } from '../ops/backup-set.js';
import { applyRestore, planRestore, renderRestorePlan } from '../ops/restore-files.js';

const BACKUP_HELP = `usm-appliance backup: save the appliance's state (core or satellite) to one archive file.

Usage: usm-appliance backup --out FILE [--passphrase-file FILE] [--root DIR] [--force]

It holds (where present): ${BACKUP_SOURCES.map((s) => (s.match ? `${s.path}/${s.match.source.replace(/^\^|\$$/g, '')}` : `${s.path}/`)).join(', ')}.
These include private keys and the broker password: the archive is written with mode 0600, and with
--passphrase-file it is encrypted (AES-256-GCM, key from scrypt N=2^17). The passphrase is read from
that file (first line), never from the command line.

Options:
  --out FILE              where to write the archive (refuses to replace an existing file without --force)
  --passphrase-file FILE  encrypt with the passphrase in FILE (at least 8 characters)
  --root DIR              read the files under DIR instead of / (default /)
`;

const RESTORE_HELP = `usm-appliance restore: put the files of a backup archive back, on this machine or a new one.

Usage: usm-appliance restore --in FILE [--passphrase-file FILE] [--root DIR] [--dry-run] [--force]

Files are written atomically with their archived modes (and owners, when run as root). A file that exists with
other content is a conflict: nothing is written unless --force. --dry-run lists what would change and shows the
differences with secrets masked. After restoring, start the services again (see docs/operations.md).

Options:
  --in FILE               the archive written by usm-appliance backup
  --passphrase-file FILE  the passphrase of an encrypted archive
  --root DIR              write under DIR instead of / (default /)
  --dry-run               print the plan, change nothing
  --force                 replace files that differ
`;

const backupFlags = z.strictObject({
  out: z.string().min(1, 'required'),
  'passphrase-file': z.string().min(1).optional(),
  root: z.string().min(1).default('/'),
  force: z.boolean().default(false),
});

const restoreFlags = z.strictObject({
  in: z.string().min(1, 'required'),
  'passphrase-file': z.string().min(1).optional(),
  root: z.string().min(1).default('/'),
  'dry-run': z.boolean().default(false),
  force: z.boolean().default(false),
});

export const backupCommand: Command = {
  path: ['backup'],
  summary: 'save the configuration, keys and state to one archive (0600, encrypted with a passphrase file)',
  help: BACKUP_HELP,
  async run(argv, io) {
    const flags = parseFlags(argv, {
      out: { type: 'string' }, 'passphrase-file': { type: 'string' }, root: { type: 'string' }, force: { type: 'boolean' },
    }, backupFlags);
    const passphrase = flags['passphrase-file'] ? await readPassphrase(flags['passphrase-file'], io) : undefined;
    if (!flags.force && (await exists(flags.out))) throw new UsmError('E_USAGE', `--out: ${flags.out} exists; choose another name or add --force`);
    const entries = await collectBackupEntries(flags.root);
    const files = entries.filter((e) => e.type === 'file');
    if (files.length === 0) throw new UsmError('E_BACKUP', `nothing to back up under ${flags.root}: no appliance files found (is this machine set up?)`);
    const archive = encodeBackup({ createdAt: new Date().toISOString(), hostname: hostname(), version: readPackageVersion(), entries }, passphrase);
    await writeFileAtomic(flags.out, archive, { mode: 0o600 });
    io.stdout.write(`wrote ${flags.out}: ${files.length} files, ${entries.length - files.length} directories, ${archive.length} bytes, ${passphrase ? 'encrypted (AES-256-GCM, scrypt)' : 'NOT encrypted'}\n`);
    for (const file of files) io.stdout.write(`  0${file.mode.toString(8)} ${file.path}\n`);
    if (!passphrase) io.stderr.write('warning: the archive holds private keys and the broker password in clear; keep it 0600, or use --passphrase-file\n');
    return 0;
  },
};

export const restoreCommand: Command = {
  path: ['restore'],
  summary: 'restore a backup archive (refuses to overwrite differing files without --force; --dry-run shows the plan)',
  help: RESTORE_HELP,
  async run(argv, io) {
    const flags = parseFlags(argv, {
      in: { type: 'string' }, 'passphrase-file': { type: 'string' }, root: { type: 'string' }, 'dry-run': { type: 'boolean' }, force: { type: 'boolean' },
    }, restoreFlags);
    let archive: Buffer;
    try {
      archive = await readFile(flags.in);
    } catch (error) {
      throw new UsmError('E_USAGE', `--in: cannot read ${flags.in}: ${describeError(error)}`);
    }
    const encrypted = isEncryptedBackup(archive);
    if (encrypted && !flags['passphrase-file']) throw new UsmError('E_USAGE', '--passphrase-file: required, the archive is encrypted');
    const passphrase = encrypted && flags['passphrase-file'] ? await readPassphrase(flags['passphrase-file'], io) : undefined;
    const contents = decodeBackup(archive, passphrase);
    const items = await planRestore(flags.root, contents.entries);
    io.stdout.write(`archive of ${contents.hostname}, ${contents.createdAt}, usm-appliance ${contents.version}; target root ${flags.root}\n`);
    io.stdout.write(`${renderRestorePlan(items)}\n`);
    if (flags['dry-run']) return 0;
    const written = await applyRestore(items, { force: flags.force, chownToArchived: process.getuid?.() === 0 });
    io.stdout.write(`restored ${written} file(s) under ${flags.root}\n`);
    io.stdout.write('next: systemctl daemon-reload, then start the tunnel and the poller again (docs/operations.md, "Restore")\n');
    return 0;
  },
};

/** The first line of the file; a group- or world-readable passphrase file gets a warning. */
async function readPassphrase(path: string, io: CommandIo): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
    if (((await stat(path)).mode & 0o077) !== 0) io.stderr.write(`warning: ${path} is readable by other users; chmod 600 it\n`);
  } catch (error) {
    throw new UsmError('E_USAGE', `--passphrase-file: cannot read ${path}: ${describeError(error)}`);
  }
  const passphrase = text.split(/\r?\n/)[0] ?? '';
  if (passphrase.length < 8) throw new UsmError('E_USAGE', '--passphrase-file: the passphrase (first line) must be at least 8 characters');
  return passphrase;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
