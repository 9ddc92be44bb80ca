import { z } from 'zod';
import { UsmError } from '../../../common/usm-error.js';
import type { Command } from '../cli/command.js';
import { hostPath, hubConfigPath } from '../core/core-paths.js';
import { requireCoreState } from '../core/core-state-file.js';
import { requireWireguard } from '../core/hub-from-state.js';
import { bringTunnelDown, bringTunnelUp, readInterface } from '../tunnel/wg-interface.js';
import { access } from 'node:fs/promises';
import { COMMON_HELP, COMMON_OPTIONS, checkRoot, commonShape, defineCoreCommand } from './core-flags.js';

const schema = z.strictObject({ ...commonShape });

export const coreUpCommand: Command = defineCoreCommand({
  name: 'up',
  summary: 'bring the hub WireGuard interface up (kernel, or wireguard-go without the module)',
  usage: '[--root DIR] [--dry-run]',
  description: `
Runs wg-quick up on the hub config written by core init. Uses the kernel's
WireGuard when it has it and falls back to wireguard-go otherwise; prints
which one runs the interface. Does nothing when the interface is already up.`,
  options: { ...COMMON_OPTIONS },
  optionsHelp: COMMON_HELP,
  schema,
  async run(flags, io) {
    const { ifname, config } = await hubFile(flags.root);
    if ((await readInterface(ifname)) !== null) {
      io.stdout.write(`${ifname} is already up\n`);
      return 0;
    }
    if (flags['dry-run']) {
      io.stdout.write(`Dry run: would run wg-quick up ${config} (kernel WireGuard, or wireguard-go)\n`);
      return 0;
    }
    io.stderr.write(`... wg-quick up ${config}\n`);
    const implementation = await bringTunnelUp(config, { env: io.env });
    io.stdout.write(`${ifname} is up (${implementation})\n`);
    return 0;
  },
});

export const coreDownCommand: Command = defineCoreCommand({
  name: 'down',
  summary: 'take the hub WireGuard interface down',
  usage: '[--root DIR] [--dry-run]',
  description: 'Runs wg-quick down on the hub config. Does nothing when the interface is not up.',
  options: { ...COMMON_OPTIONS },
  optionsHelp: COMMON_HELP,
  schema,
  async run(flags, io) {
    const { ifname, config } = await hubFile(flags.root);
    if ((await readInterface(ifname)) === null) {
      io.stdout.write(`${ifname} is not up\n`);
      return 0;
    }
    if (flags['dry-run']) {
      io.stdout.write(`Dry run: would run wg-quick down ${config}\n`);
      return 0;
    }
    await bringTunnelDown(config, { env: io.env });
    io.stdout.write(`${ifname} is down\n`);
    return 0;
  },
});

async function hubFile(rootFlag: string): Promise<{ ifname: string; config: string }> {
  const root = await checkRoot(rootFlag);
  const hub = requireWireguard(await requireCoreState(root), 'core up/down');
  const config = hostPath(root, hubConfigPath(hub.interface));
  try {
    await access(config);
  } catch {
    throw new UsmError('E_CORE_STATE', `${config} is missing: run usm-appliance core init again to write it`);
  }
  return { ifname: hub.interface, config };
}
