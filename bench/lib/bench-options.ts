import { UsmError } from '../../common/usm-error.js';

export const ROW_IDS = ['p1', 'p2', 'p3', 'p4', 'p5'] as const;
export type RowId = (typeof ROW_IDS)[number];

/** full: the published run; quick: everyday (< 2 min); smoke: the smallest sizes, for the test that proves the scripts run. */
export type BenchProfile = 'full' | 'quick' | 'smoke';

export interface BenchOptions {
  profile: BenchProfile;
  only: RowId[];
  /** Where the JSON results go. */
  outDir: string;
  /** Rewrite BENCHMARKS.md (default: on a full run of every row). */
  markdown: boolean;
  /** Start poller processes with --cpu-prof into <outDir>/profiles. */
  cpuProfile: boolean;
  /** Run the poller sources through tsx instead of compiling them first. */
  tsx: boolean;
}

export const USAGE = `usage: npm run bench -- [--quick | --smoke] [--only p1,p2,...] [--out DIR] [--cpu-prof] [--tsx] [--markdown | --no-markdown]

  --quick        everyday sizes, the whole run in under 2 minutes
  --smoke        the smallest sizes (what test/bench runs)
  --only LIST    run these rows only (p1 throughput, p2 walk, p3 sweep, p4 memory/fds, p5 tunnel)
  --out DIR      JSON results directory (default bench/results)
  --cpu-prof     run the poller processes with node --cpu-prof (profiles in DIR/profiles)
  --tsx          run the poller sources through tsx instead of a fresh tsc build (faster start, ~50 MB more RSS)
  --markdown     rewrite BENCHMARKS.md (default only for a full run of every row)`;

/** Pure: argv (after the script name) to options; throws E_USAGE naming the flag. */
export function parseBenchArgs(argv: readonly string[], defaults: { outDir: string }): BenchOptions {
  let profile: BenchProfile = 'full';
  let only: RowId[] = [...ROW_IDS];
  let onlyGiven = false;
  let outDir = defaults.outDir;
  let markdown: boolean | undefined;
  let cpuProfile = false;
  let tsx = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new UsmError('E_USAGE', `${arg}: needs a value\n${USAGE}`);
      return next;
    };
    switch (arg) {
      case '--quick': profile = 'quick'; break;
      case '--smoke': profile = 'smoke'; break;
      case '--full': profile = 'full'; break;
      case '--only': {
        const ids = value().split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
        const unknown = ids.filter((id) => !(ROW_IDS as readonly string[]).includes(id));
        if (ids.length === 0 || unknown.length > 0) throw new UsmError('E_USAGE', `--only: unknown row ${unknown.join(', ') || '(none)'}; rows are ${ROW_IDS.join(', ')}`);
        only = ROW_IDS.filter((id) => ids.includes(id));
        onlyGiven = true;
        break;
      }
      case '--out': outDir = value(); break;
      case '--cpu-prof': cpuProfile = true; break;
      case '--tsx': tsx = true; break;
      case '--markdown': markdown = true; break;
      case '--no-markdown': markdown = false; break;
      case '--help': case '-h': throw new UsmError('E_HELP', USAGE);
      default: throw new UsmError('E_USAGE', `unknown flag ${arg}\n${USAGE}`);
    }
  }
  return { profile, only, outDir, markdown: markdown ?? (profile === 'full' && !onlyGiven), cpuProfile, tsx };
}

/** Pure: picks the size for the profile. */
export function bySize<T>(profile: BenchProfile, sizes: Record<BenchProfile, T>): T {
  return sizes[profile];
}
