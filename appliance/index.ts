import { createLogger, parseLogLevelSpec } from '../common/logger.js';
import { readPackageVersion } from '../poller/lib/config/package-version.js';
import type { CommandIo } from './lib/cli/command.js';
import { runCli } from './lib/cli/run-cli.js';
import { listCommands } from './lib/commands/command-table.js';
import { createPrettyStream } from './lib/ops/pretty-log.js';

export interface MainOptions extends Partial<CommandIo> {
  argv?: readonly string[];
}

/** Entry point: runs one command and sets process.exitCode (0 ok, 1 failed, 2 bad usage). */
export async function main(options: MainOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const stderr = options.stderr ?? process.stderr;
  // --pretty (anywhere on the line) turns the JSON log lines into lines for people; USM_LOG_LEVEL=info,snmp=debug sets levels.
  const rawArgv = options.argv ?? process.argv.slice(2);
  const pretty = rawArgv.includes('--pretty');
  const argv = rawArgv.filter((arg) => arg !== '--pretty');
  const levels = parseLogLevelSpec(env.USM_LOG_LEVEL, 'warn');
  const io: CommandIo = {
    stdout: options.stdout ?? process.stdout,
    stderr,
    env,
    interactive: options.interactive ?? Boolean(process.stdin.isTTY && process.stdout.isTTY),
    log: options.log ?? createLogger({ ...levels, name: 'usm-appliance', stream: pretty ? createPrettyStream(stderr) : stderr }),
  };
  const code = await runCli(listCommands(), argv, io, readPackageVersion());
  process.exitCode = code;
  return code;
}
