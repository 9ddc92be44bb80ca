import { createLogger } from '../common/logger.js';
import { readPackageVersion } from '../poller/lib/config/package-version.js';
import type { CommandIo } from './lib/cli/command.js';
import { runCli } from './lib/cli/run-cli.js';
import { listCommands } from './lib/commands/command-table.js';

export interface MainOptions extends Partial<CommandIo> {
  argv?: readonly string[];
}

/** Entry point: runs one command and sets process.exitCode (0 ok, 1 failed, 2 bad usage). */
export async function main(options: MainOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const io: CommandIo = {
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
    env,
    interactive: options.interactive ?? Boolean(process.stdin.isTTY && process.stdout.isTTY),
    log: options.log ?? createLogger({ level: (env.USM_LOG_LEVEL as 'info' | undefined) ?? 'warn', name: 'usm-appliance', stream: process.stderr }),
  };
  const code = await runCli(listCommands(), options.argv ?? process.argv.slice(2), io, readPackageVersion());
  process.exitCode = code;
  return code;
}
