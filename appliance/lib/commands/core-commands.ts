import type { Command } from '../cli/command.js';

/** The core init, add-satellite, remove-satellite, list commands. */
export function listCoreCommands(): Command[] {
  return [];
}
