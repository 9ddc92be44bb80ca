import type { Command } from '../cli/command.js';
import { rotateCommand, statusCommand, uninstallCommand } from './satellite-admin-commands.js';
import { runCommand } from './satellite-run-command.js';
import { setupCommand } from './satellite-setup-command.js';

/** The setup, run, rotate, status, uninstall commands. */
export function listSatelliteCommands(): Command[] {
  return [setupCommand, runCommand, rotateCommand, statusCommand, uninstallCommand];
}
