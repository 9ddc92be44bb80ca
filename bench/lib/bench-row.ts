/**
 * One line of the benchmark table: our figure, the reference measured in the
 * same run on the same machine, their ratio and the target it is judged by.
 */
export interface Figure {
  label: string;
  value: number;
  unit: string;
}

export interface Target {
  /** What the target is checked against: the ratio, or the figure itself (absolute budgets such as MB). */
  on: 'ratio' | 'figure' | 'difference';
  op: '>=' | '<=';
  value: number;
  text: string;
}

export interface BenchRow {
  id: string;
  title: string;
  figure: Figure;
  reference: Figure;
  /** figure / reference. */
  ratio: number;
  target: Target;
  met: boolean;
  /** Everything else measured (jobs/s, p50/p99, counts), for the JSON file and the notes under the table. */
  details: Record<string, unknown>;
}

/** Pure: builds a row, computing the ratio and whether the target is met. */
export function makeRow(input: Omit<BenchRow, 'ratio' | 'met'>): BenchRow {
  const ratio = input.reference.value === 0 ? 0 : input.figure.value / input.reference.value;
  const checked =
    input.target.on === 'ratio' ? ratio : input.target.on === 'figure' ? input.figure.value : input.figure.value - input.reference.value;
  const met = Number.isFinite(checked) && (input.target.op === '>=' ? checked >= input.target.value : checked <= input.target.value);
  return { ...input, ratio: round(ratio, 3), met };
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Pure: the median of a list (0 for an empty one). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
