import type { Command } from '../cli/command.js';
import { jobCommand } from './job-command.js';

/** Every command of the CLI, in the order `--help` lists them. */
export function listCommands(): Command[] {
  return [jobCommand];
}
