import { z } from 'zod';

/** Flags shared by the satellite commands. */
export const rootFlag = z.string().regex(/^\//, 'must be an absolute path').default('/');
export const secondsFlag = (fallback: number) => z.coerce.number().int().min(1).max(3600).default(fallback);
export const managerFlag = z.enum(['systemd', 'compose', 'foreground']).optional();

export const ROOT_HELP = '  --root DIR           treat DIR as / (files go under it; default /)';
