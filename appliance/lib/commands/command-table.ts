import type { Command } from '../cli/command.js';
import { jobCommand } from './job-command.js';
import { listCoreCommands } from './core-commands.js';
import { listSatelliteCommands } from './satellite-commands.js';
import { listOpsCommands } from './ops-commands.js';

/** Every command of the CLI, in the order `--help` lists them: core side, satellite side, operations, tools. */
export function listCommands(): Command[] {
  return [...listCoreCommands(), ...listSatelliteCommands(), ...listOpsCommands(), jobCommand];
}
