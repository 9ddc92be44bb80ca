import type { BenchRow } from './lib/bench-row.js';
import type { RowContext } from './lib/row-context.js';
export async function runP4(_ctx: RowContext): Promise<BenchRow[]> { return []; }
