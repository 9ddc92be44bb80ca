import type { Client, ClientChannel } from 'ssh2';
import { CliSession } from '../cli-session/cli-session.js';
import type { OutputBudget } from '../cli-session/output-budget.js';
import type { PagerSpec } from '../cli-session/cli-params.js';
import { ShellCommandRun, type ShellOutput, type ShellStop } from '../cli-session/shell-commands.js';

export interface ShellModeOptions {
  commands: readonly string[];
  prompt: RegExp;
  pager?: PagerSpec | undefined;
  disablePaging?: string | undefined;
  newline: string;
  commandTimeoutMs: number;
  budget: OutputBudget;
  signal: AbortSignal;
}

// Wide enough that devices do not wrap (or redraw) long commands in the echo.
const PTY = { term: 'vt100', cols: 511, rows: 24 } as const;

/**
 * Shell mode: one interactive shell with a pty, the way an operator's
 * terminal talks to a switch CLI. Waits for the first prompt (past banners
 * and MOTD), then runs the commands through the shared prompt/pager engine.
 */
export class ShellModeRun {
  #runner: ShellCommandRun | null = null;

  constructor(
    private readonly client: Client,
    private readonly options: ShellModeOptions,
  ) {}

  snapshot(): ShellOutput[] {
    return this.#runner?.snapshot() ?? [];
  }

  get outputs(): ShellOutput[] {
    return this.#runner?.outputs ?? [];
  }

  async run(): Promise<ShellStop> {
    const opened = await openShell(this.client);
    if (!opened.ok) return { kind: 'error', code: 'E_CHANNEL', message: `the device refused a shell channel (${opened.message})` };
    const channel = opened.channel;
    const session = new CliSession({ write: (text) => { channel.write(text); } }, this.options);
    channel.on('data', (chunk: Buffer) => session.feed(chunk));
    channel.stderr.on('data', (chunk: Buffer) => session.feed(chunk));
    channel.on('error', () => {});
    channel.stderr.on('error', () => {});
    channel.on('close', () => session.end());
    try {
      const first = await session.waitFor([{ name: 'prompt', regex: this.options.prompt, scope: 'line' }], this.options.commandTimeoutMs);
      if (first.kind === 'timeout') return { kind: 'error', code: 'E_TIMEOUT', message: `no prompt matching params.prompt within ${this.options.commandTimeoutMs} ms after login` };
      if (first.kind === 'closed') return { kind: 'error', code: 'E_CLOSED', message: 'the device closed the shell before showing a prompt' };
      if (first.kind === 'aborted') return { kind: 'error', code: 'E_TIMEOUT', message: 'job deadline reached while waiting for the first prompt' };
      this.#runner = new ShellCommandRun(session, this.options);
      return await this.#runner.run();
    } finally {
      session.dispose();
      channel.close();
    }
  }
}

function openShell(client: Client): Promise<{ ok: true; channel: ClientChannel } | { ok: false; message: string }> {
  return new Promise((resolve) => {
    try {
      client.shell(PTY, (error, channel) => (error ? resolve({ ok: false, message: error.message }) : resolve({ ok: true, channel })));
    } catch (error) {
      resolve({ ok: false, message: (error as Error).message });
    }
  });
}
