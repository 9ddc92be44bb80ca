import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { UsmError } from '../../../common/usm-error.js';
import type { Command } from '../cli/command.js';
import { parseFlags } from '../cli/parse-flags.js';
import { LEVEL_VALUES, formatLogLine } from '../ops/pretty-log.js';

const HELP = `usm-appliance logs: show usm-poller / usm-appliance JSON log lines for people.

Usage:
  docker compose -f /opt/usm_poller/compose.yaml logs --no-log-prefix poller | usm-appliance logs [--level LEVEL]
  journalctl -u usm-poller -o cat | usm-appliance logs --level warn
  usm-appliance logs --file FILE

Each JSON record becomes "HH:MM:SS.mmm LEVEL name[component] message key=value ..."; other lines pass unchanged.
The logs themselves stay JSON (for collectors); usm-appliance's own logs are shown this way with --pretty.

Options:
  --file FILE     read FILE instead of standard input
  --level LEVEL   hide records below LEVEL (trace|debug|info|warn|error|fatal)
`;

const flagsSchema = z.strictObject({
  file: z.string().min(1).optional(),
  level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).optional(),
});

export const logsCommand: Command = {
  path: ['logs'],
  summary: 'turn JSON log lines (stdin or --file) into lines for people, filtered by --level',
  help: HELP,
  async run(argv, io) {
    const flags = parseFlags(argv, { file: { type: 'string' }, level: { type: 'string' } }, flagsSchema);
    const input = flags.file ? createReadStream(flags.file) : process.stdin;
    const minLevel = flags.level ? LEVEL_VALUES[flags.level]! : 0;
    const lines = createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        const text = formatLogLine(line, minLevel);
        if (text !== null) io.stdout.write(`${text}\n`);
      }
    } catch (error) {
      throw new UsmError('E_USAGE', `--file: cannot read ${flags.file ?? 'standard input'}: ${(error as Error).message}`);
    }
    return 0;
  },
};
