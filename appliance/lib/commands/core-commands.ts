import type { Command } from '../cli/command.js';
import { coreInitCommand } from './core-init-command.js';
import { coreDownCommand, coreUpCommand } from './core-tunnel-commands.js';
import { coreAddSatelliteCommand, coreRemoveSatelliteCommand } from './core-satellite-commands.js';
import { coreListCommand } from './core-list-command.js';
import { coreRotateSatelliteCommand } from './core-rotate-command.js';

/** The core side: init, up, down, add-satellite, remove-satellite, list, rotate-satellite. */
export function listCoreCommands(): Command[] {
  return [coreInitCommand, coreUpCommand, coreDownCommand, coreAddSatelliteCommand, coreRemoveSatelliteCommand, coreListCommand, coreRotateSatelliteCommand];
}
