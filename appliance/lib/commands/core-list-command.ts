import { z } from 'zod';
import type { Command } from '../cli/command.js';
import { requireCoreState } from '../core/core-state-file.js';
import { listSatelliteRows, renderSatelliteTable } from '../core/core-table.js';
import { readInterface } from '../tunnel/wg-interface.js';
import { checkRoot, commonShape, defineCoreCommand } from './core-flags.js';

const schema = z.strictObject({ root: commonShape.root, json: z.boolean().default(false) });

export const coreListCommand: Command = defineCoreCommand({
  name: 'list',
  summary: 'list enrolled satellites: address, transport, created, rotated, last handshake',
  usage: '[--json] [--root DIR]',
  description: `
One row per satellite: id, tunnel address, transport, when it was added, when
its credentials were last rotated, and its latest WireGuard handshake when the
hub interface is up ("-" when it is down, "never" when there was none). A
satellite in rotation shows both addresses. --json prints the same as JSON.`,
  options: { root: { type: 'string' }, json: { type: 'boolean' } },
  optionsHelp: `  --json              print JSON instead of a table
  --root DIR          filesystem prefix (default /)
  --help              this text
`,
  schema,
  async run(flags, io) {
    const state = await requireCoreState(await checkRoot(flags.root));
    const running = state.wireguard ? await readInterface(state.wireguard.interface) : null;
    const rows = listSatelliteRows(state, running);
    io.stdout.write(flags.json ? `${JSON.stringify({ interfaceUp: running !== null, satellites: rows }, null, 2)}\n` : renderSatelliteTable(rows, running !== null));
    return 0;
  },
});
