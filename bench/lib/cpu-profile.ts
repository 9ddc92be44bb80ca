/** The parts of V8's .cpuprofile format that a time summary needs. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  location: string;
  selfMs: number;
  /** Time with this function anywhere on the stack (counted once per sample). */
  totalMs: number;
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  /** Sampled time minus idle: what the shares below are taken of. */
  busyMs: number;
  functions: FunctionTime[];
  files: Array<{ file: string; selfMs: number }>;
}

const NOT_WORK = new Set(['(idle)', '(root)']);

/** Pure: self and inclusive time per function, self time per file, largest first. */
export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const keyOf = new Map<number, { key: string; name: string; location: string; file: string }>();
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    const name = frame.functionName || '(anonymous)';
    const file = shortenUrl(frame.url) || name;
    const location = frame.url ? `${file}:${frame.lineNumber + 1}` : '';
    keyOf.set(node.id, { key: `${name}@${location}`, name, location, file });
  }
  const fn = new Map<string, FunctionTime>();
  const files = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    const leaf = keyOf.get(id);
    if (!leaf || !byId.has(id)) return;
    if (leaf.name === '(idle)') {
      idleMs += ms;
      return;
    }
    const seen = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      const k = keyOf.get(node)!;
      if (NOT_WORK.has(k.name) || seen.has(k.key)) continue;
      seen.add(k.key);
      const entry = fn.get(k.key) ?? { name: k.name, location: k.location, selfMs: 0, totalMs: 0 };
      entry.totalMs += ms;
      if (node === id) entry.selfMs += ms;
      fn.set(k.key, entry);
    }
    files.set(leaf.file, (files.get(leaf.file) ?? 0) + ms);
  });
  return {
    totalMs,
    idleMs,
    busyMs: totalMs - idleMs,
    functions: [...fn.values()].sort((a, b) => b.selfMs - a.selfMs),
    files: [...files.entries()].map(([file, selfMs]) => ({ file, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  };
}

function shortenUrl(url: string): string {
  const cut = url.replace(/^file:\/\//, '');
  const nm = cut.lastIndexOf('/node_modules/');
  if (nm >= 0) return cut.slice(nm + 1);
  const root = cut.search(/\/(poller|common|appliance|provision|bench)\//);
  return root >= 0 ? cut.slice(root + 1) : cut;
}
