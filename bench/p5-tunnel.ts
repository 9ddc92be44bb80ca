import type { BenchRow } from './lib/bench-row.js';
import type { RowContext } from './lib/row-context.js';
export async function runP5(_ctx: RowContext): Promise<BenchRow[]> { return []; }
