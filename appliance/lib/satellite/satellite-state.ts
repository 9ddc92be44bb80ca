import { readFile, rm } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../../../common/atomic-file.js';
import { underRoot } from '../plan/file-plan.js';

const stateSchema = z.object({
  version: z.literal(1),
  satelliteId: z.string(),
  transport: z.enum(['wireguard', 'amqps']),
  manager: z.enum(['systemd', 'compose', 'foreground']),
  interfaceName: z.string().optional(),
  /** Every file setup installed (target paths): uninstall removes these and nothing else. */
  files: z.array(z.string()),
  /** Directories setup created (removed by uninstall when empty). */
  directories: z.array(z.string()).default([]),
  appliedAt: z.string(),
  rotatedAt: z.string().optional(),
  /** The satellite's tunnel address before the last rotation. */
  rotatedFromAddress: z.string().optional(),
});

export type SatelliteState = z.infer<typeof stateSchema>;

/** The appliance's record of what it installed (not secret: paths, ids and times only). */
export async function readSatelliteState(root: string, path: string): Promise<SatelliteState | null> {
  let text: string;
  try {
    text = await readFile(underRoot(root, path), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return stateSchema.parse(JSON.parse(text));
}

export async function writeSatelliteState(root: string, path: string, state: SatelliteState): Promise<void> {
  await writeFileAtomic(underRoot(root, path), `${JSON.stringify(stateSchema.parse(state), null, 2)}\n`, { mode: 0o644 });
}

export async function removeSatelliteState(root: string, path: string): Promise<void> {
  await rm(underRoot(root, path), { force: true });
}
