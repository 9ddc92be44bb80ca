import { UsmError, describeError, formatUsmError } from '../../../common/usm-error.js';
import type { Command, CommandIo } from './command.js';

/** Finds the command whose path is the longest prefix of argv, or prints help. Returns the exit code. */
export async function runCli(commands: readonly Command[], argv: readonly string[], io: CommandIo, version: string): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(renderOverview(commands));
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    io.stdout.write(`${version}\n`);
    return 0;
  }
  const command = findCommand(commands, argv);
  if (!command) {
    io.stderr.write(`usm-appliance: unknown command "${argv.filter((a) => !a.startsWith('-')).slice(0, 2).join(' ')}"; run usm-appliance --help\n`);
    return 2;
  }
  const rest = argv.slice(command.path.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.help);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsmError) {
      io.stderr.write(`usm-appliance ${command.path.join(' ')}: ${formatUsmError(error)}\n`);
      return error.code === 'E_USAGE' || error.code.startsWith('E_ANSWERS') || error.code === 'E_CONFIG' ? 2 : 1;
    }
    io.stderr.write(`usm-appliance ${command.path.join(' ')}: unexpected failure: ${describeError(error)}\n`);
    return 1;
  }
}

function findCommand(commands: readonly Command[], argv: readonly string[]): Command | undefined {
  let best: Command | undefined;
  for (const command of commands) {
    const matches = command.path.every((word, i) => argv[i] === word);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  return best;
}

function renderOverview(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  const lines = commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return `usm-appliance: set up and run USERSIDE poller satellites, secure by default.

Usage: usm-appliance <command> [options]    (usm-appliance <command> --help for details)

Commands:
${lines.join('\n')}
`;
}
