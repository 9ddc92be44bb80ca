/** One Dockerfile instruction after joining `\` continuations; `json` is set for the exec (JSON array) form. */
export interface Instruction {
  keyword: string;
  args: string;
  json: string[] | null;
  line: number;
  stage: number;
}

const KEYWORDS = new Set(['FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'MAINTAINER']);

/**
 * A small Dockerfile reader for structural checks (Docker itself cannot run here): comments and
 * parser directives dropped, continuations joined, each instruction tagged with its stage index.
 * Throws on an unknown keyword or a malformed JSON form, as `docker build` would.
 */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let stage = -1;
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd();
    if (pending === '' && (line.trim() === '' || line.trim().startsWith('#'))) return;
    if (pending !== '' && line.trim().startsWith('#')) return;
    if (pending === '') start = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/s.exec(full)!;
    const keyword = match[1]!.toUpperCase();
    if (!KEYWORDS.has(keyword)) throw new Error(`line ${start}: unknown instruction ${match[1]}`);
    if (keyword === 'FROM') stage++;
    const args = match[2]!.replace(/\s+/g, ' ').trim();
    const jsonText = keyword === 'HEALTHCHECK' ? /\bCMD (\[.*\])$/.exec(args)?.[1] : args.startsWith('[') ? args : undefined;
    let json: string[] | null = null;
    if (jsonText !== undefined) {
      const parsed: unknown = JSON.parse(jsonText);
      if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) throw new Error(`line ${start}: ${keyword} JSON form must be an array of strings`);
      json = parsed;
    }
    out.push({ keyword, args, json, line: start, stage });
  });
  if (pending !== '') throw new Error('the file ends inside a continued line');
  return out;
}

/** Pure: whether a path (relative to the build context) survives the .dockerignore (`*` then `!pattern` re-includes). */
export function isIncludedByDockerignore(path: string, ignoreText: string): boolean {
  let included = true;
  for (const raw of ignoreText.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).replace(/\/$/, '');
    if (globMatches(pattern, path)) included = negate;
  }
  return included;
}

function globMatches(pattern: string, path: string): boolean {
  const regex = new RegExp(`^${pattern.split('**/').map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')).join('(?:.*/)?')}(?:/.*)?$`);
  return regex.test(path);
}
