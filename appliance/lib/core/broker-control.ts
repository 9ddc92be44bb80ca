import { UsmError } from '../../../common/usm-error.js';
import type { RabbitmqctlCommand } from '../../../provision/lib/broker-users/satellite-broker-user.js';
import { runTool, type RunTool, type ToolResult } from '../plan/run-tool.js';

/** How to reach the core's RabbitMQ: the rabbitmqctl binary and, optionally, a node name (-n). */
export interface BrokerControl {
  rabbitmqctl: string;
  node?: string;
  run?: RunTool;
}

const MISSING_USER = /does not exist|no_such_user|not_found/i;

/** argv of one call, as shown in plans (the password goes to stdin and is never shown). */
export function describeRabbitmqctl(control: BrokerControl, command: RabbitmqctlCommand): string {
  const argv = [control.rabbitmqctl, ...nodeArgs(control), ...command.args];
  return `${argv.map(quoteForDisplay).join(' ')}${command.stdin === undefined ? '' : '  (password on stdin)'}`;
}

/** Runs one call; returns 'missing' when okIfMissing and the user does not exist. */
export async function runRabbitmqctl(control: BrokerControl, command: RabbitmqctlCommand, okIfMissing = false): Promise<'done' | 'missing'> {
  const run = control.run ?? runTool;
  let result: ToolResult;
  try {
    result = await run(control.rabbitmqctl, [...nodeArgs(control), ...command.args], {
      allowFailure: true,
      timeoutMs: 60_000,
      ...(command.stdin === undefined ? {} : { input: command.stdin }),
    });
  } catch (error) {
    throw new UsmError('E_BROKER', `cannot run ${control.rabbitmqctl}: ${(error as Error).message}`, { cause: error });
  }
  if (result.exitCode === 0) return 'done';
  const said = `${result.stderr}\n${result.stdout}`.trim();
  if (okIfMissing && MISSING_USER.test(said)) return 'missing';
  // rabbitmqctl puts the reason on stderr and its progress chatter on stdout.
  const reason = result.stderr.trim() !== '' ? result.stderr : result.stdout;
  const last = reason.split('\n').filter((line) => line.trim() !== '' && line.trim() !== 'Error:').slice(-2).join(' | ');
  throw new UsmError('E_BROKER', `rabbitmqctl ${command.args.slice(0, 2).join(' ')} failed: ${last || `exit code ${result.exitCode}`}`);
}

function nodeArgs(control: BrokerControl): string[] {
  return control.node === undefined ? [] : ['-n', control.node];
}

function quoteForDisplay(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
