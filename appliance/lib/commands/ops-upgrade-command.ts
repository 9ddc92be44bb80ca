import { z } from 'zod';
import type { Command, CommandIo } from '../cli/command.js';
import { parseFlags } from '../cli/parse-flags.js';
import { runTool, type RunTool } from '../plan/run-tool.js';
import { COMPOSE_FILE, executeUpgrade, prepareUpgrade } from '../ops/run-upgrade.js';
import { VERSION_PATTERN } from '../ops/upgrade-plan.js';

const HELP = `usm-appliance upgrade: move the poller to the release that matches the core.

Usage: usm-appliance upgrade --version X.Y.Z [--manager compose|systemd] [--service NAME] [--root DIR] [--dry-run]

USERSIDE requires the poller's version to match the core's: run this after every core update.
The poller is always drained first (SIGTERM: jobs in flight finish and their results are published).
  compose: sets the image tag in ${COMPOSE_FILE}, docker compose pull, stop --timeout <drain + 15 s>, up -d.
           A failed pull puts the compose file back and leaves the old container running.
  systemd: systemctl stop <unit> (the drain), npm install --global usm-appliance@X.Y.Z, systemctl start,
           then checks usm-poller --version. A failed install starts the old version again.

Options:
  --version X.Y.Z     the release to run (the core's version)
  --manager M         compose or systemd (default: found from what is installed)
  --service NAME      compose service (default poller) or systemd unit (default usm-poller.service)
  --compose-file F    the compose file (default ${COMPOSE_FILE})
  --root DIR          read and write files under DIR (default /)
  --dry-run           print the file diff and the commands, change nothing
`;

const flagsSchema = z.strictObject({
  version: z.string().regex(VERSION_PATTERN, 'must be a release like 3.18.0'),
  manager: z.enum(['compose', 'systemd']).optional(),
  service: z.string().regex(/^[A-Za-z0-9_.@-]{1,128}$/, 'must be a unit or service name').optional(),
  'compose-file': z.string().regex(/^\/[A-Za-z0-9._/-]+$/, 'must be an absolute path').optional(),
  root: z.string().min(1).default('/'),
  'dry-run': z.boolean().default(false),
});

export const upgradeCommand: Command = {
  path: ['upgrade'],
  summary: 'drain the poller and move it to the version of the core (compose image tag or npm package)',
  help: HELP,
  async run(argv, io) {
    const flags = parseFlags(argv, {
      version: { type: 'string' }, manager: { type: 'string' }, service: { type: 'string' }, 'compose-file': { type: 'string' },
      root: { type: 'string' }, 'dry-run': { type: 'boolean' },
    }, flagsSchema);
    const prepared = await prepareUpgrade({
      version: flags.version, root: flags.root, dryRun: flags['dry-run'],
      ...(flags.manager ? { manager: flags.manager } : {}),
      ...(flags.service ? { service: flags.service } : {}),
      ...(flags['compose-file'] ? { composeFile: flags['compose-file'] } : {}),
    });
    io.stdout.write(prepared.text);
    if (flags['dry-run']) return 0;
    await executeUpgrade(prepared, flags.version, toolsOnPath(io), (line) => io.stdout.write(`${line}\n`));
    io.stdout.write(`upgraded to ${flags.version}; check it with: usm-appliance doctor, and ${prepared.manager === 'compose' ? 'docker compose ps' : `systemctl status ${prepared.service}`}\n`);
    return 0;
  },
};

/** Tools are looked up on the command's PATH (the process's, or the one a test gives). */
export function toolsOnPath(io: CommandIo): RunTool {
  const path = io.env.PATH;
  return (file, args, options = {}) => runTool(file, args, path === undefined ? options : { ...options, env: { ...options.env, PATH: path } });
}
