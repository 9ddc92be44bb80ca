import type { Command } from '../cli/command.js';

/** The upgrade, backup, restore, doctor commands. */
export function listOpsCommands(): Command[] {
  return [];
}
