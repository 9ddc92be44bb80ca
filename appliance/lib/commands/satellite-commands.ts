import type { Command } from '../cli/command.js';

/** The setup, run, rotate, status, uninstall commands. */
export function listSatelliteCommands(): Command[] {
  return [];
}
