/**
 * Prints where a CPU profile (node --cpu-prof) spent its busy (non-idle)
 * time: top functions by self time, top functions by inclusive time, and
 * top files, each as a share of busy time.
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [top]
 */
import { readFile } from 'node:fs/promises';
import { summarizeProfile, type CpuProfile } from './lib/cpu-profile.js';

async function main(): Promise<void> {
  const [file, topText] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const top = Number(topText ?? 25);
  const s = summarizeProfile(profile);
  const pct = (n: number) => `${((100 * n) / Math.max(1, s.busyMs)).toFixed(1).padStart(5)}%`;
  const out: string[] = [`${file}: ${Math.round(s.totalMs)} ms sampled, ${Math.round(s.busyMs)} ms busy; shares are of busy time`, '', 'self time by function:'];
  for (const f of s.functions.slice(0, top)) out.push(`${pct(f.selfMs)}  ${f.name}  ${f.location}`);
  out.push('', 'inclusive time by function:');
  for (const f of [...s.functions].sort((a, b) => b.totalMs - a.totalMs).slice(0, top)) out.push(`${pct(f.totalMs)}  ${f.name}  ${f.location}`);
  out.push('', 'self time by file:');
  for (const f of s.files.slice(0, top)) out.push(`${pct(f.selfMs)}  ${f.file}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`profile-summary: ${String(error)}\n`);
  process.exit(1);
});
