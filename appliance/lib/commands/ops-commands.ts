import type { Command } from '../cli/command.js';
import { backupCommand, restoreCommand } from './ops-backup-command.js';
import { doctorCommand } from './ops-doctor-command.js';
import { logsCommand } from './ops-logs-command.js';
import { upgradeCommand } from './ops-upgrade-command.js';

/** The upgrade, backup, restore, doctor and logs commands. */
export function listOpsCommands(): Command[] {
  return [upgradeCommand, backupCommand, restoreCommand, doctorCommand, logsCommand];
}
