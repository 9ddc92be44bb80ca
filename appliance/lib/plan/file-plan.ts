import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';

/** A file the command wants to exist with exactly this content and mode. */
export interface DesiredFile {
  /** Absolute path as on the target system (e.g. /etc/wireguard/usm0.conf); placed under --root. */
  path: string;
  content: string;
  mode: number;
}

export type FileAction = 'create' | 'update' | 'chmod' | 'unchanged';

export interface FileChange extends DesiredFile {
  /** Path on this machine: root + path. */
  hostPath: string;
  action: FileAction;
  /** Current content, when the file exists (kept to roll back). */
  previous: string | null;
  previousMode: number | null;
}

/** Places a target-system path under the --root prefix. */
export function underRoot(root: string, path: string): string {
  return resolve(join(root, path));
}

/** Reads what is there and classifies each desired file. Reads only. */
export async function planFiles(root: string, files: readonly DesiredFile[]): Promise<FileChange[]> {
  return Promise.all(files.map(async (file) => {
    const hostPath = underRoot(root, file.path);
    let previous: string | null = null;
    let previousMode: number | null = null;
    try {
      previous = await readFile(hostPath, 'utf8');
      previousMode = (await stat(hostPath)).mode & 0o777;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const action: FileAction = previous === null ? 'create' : previous !== file.content ? 'update' : previousMode !== file.mode ? 'chmod' : 'unchanged';
    return { ...file, hostPath, action, previous, previousMode };
  }));
}

// Values of these keys are secrets: a dry run shows that they change, never what they are.
const SECRET_LINE = /^(\s*[-+ ]?\s*)(PrivateKey|PresharedKey|password|privateKey|presharedKey|keyPem|US_AMQP_DSN|USM_[A-Z_]*PASSWORD)(\s*[=:]\s*)(.+)$/;
const PEM_PRIVATE = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g;

/** Masks secret values in text shown to people (diffs, plans). Pure. */
export function maskSecrets(text: string): string {
  return text
    .replace(PEM_PRIVATE, '<private key redacted>')
    .split('\n')
    .map((line) => line.replace(SECRET_LINE, (_m, lead: string, key: string, sep: string) => `${lead}${key}${sep}<redacted>`))
    .join('\n');
}

/** A unified diff of one change, secrets masked. Pure. */
export function renderChangeDiff(change: FileChange): string {
  if (change.action === 'unchanged') return '';
  if (change.action === 'chmod') return `mode ${formatMode(change.previousMode)} -> ${formatMode(change.mode)} ${change.path}\n`;
  const patch = createTwoFilesPatch(
    change.previous === null ? '/dev/null' : change.path, change.path,
    maskSecrets(change.previous ?? ''), maskSecrets(change.content), '', `mode ${formatMode(change.mode)}`,
  );
  return patch.split('\n').slice(1).join('\n');
}

/** One line per file, then the diffs: what --dry-run prints. Pure. */
export function renderPlan(changes: readonly FileChange[]): string {
  const lines = changes.map((c) => `  ${c.action.padEnd(9)} ${c.path}`);
  const diffs = changes.map(renderChangeDiff).filter(Boolean);
  return [`Files:`, ...lines, '', ...diffs].join('\n');
}

function formatMode(mode: number | null): string {
  return mode === null ? '----' : `0${mode.toString(8).padStart(3, '0')}`;
}
