import type { CheckResult } from './doctor-checks.js';

export interface DoctorSummary {
  ok: number;
  warn: number;
  fail: number;
}

/** Pure: counts per status. */
export function summarizeChecks(results: readonly CheckResult[]): DoctorSummary {
  return {
    ok: results.filter((r) => r.status === 'ok').length,
    warn: results.filter((r) => r.status === 'warn').length,
    fail: results.filter((r) => r.status === 'fail').length,
  };
}

/** Pure: one line per check, its fix indented under it, then the counts. */
export function renderDoctorReport(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.id.length));
  const lines = results.flatMap((r) => [
    `${r.status.toUpperCase().padEnd(4)} ${r.id.padEnd(width)}  ${r.detail}`,
    ...(r.fix && r.status !== 'ok' ? [`     ${' '.repeat(width)}  fix: ${r.fix}`] : []),
  ]);
  const s = summarizeChecks(results);
  return `${lines.join('\n')}\n\n${s.ok} ok, ${s.warn} warn, ${s.fail} fail\n`;
}
