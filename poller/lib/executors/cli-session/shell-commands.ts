import type { CliSession, WaitPattern } from './cli-session.js';
import { extractCommandOutput } from './command-output.js';

export interface ShellOutput {
  command: string;
  output: string;
  /** Present (true) only on the command that hit commandTimeoutMs. */
  timedOut?: true;
  /** Present (true) only on the command whose output was cut by maxOutputBytes. */
  truncated?: true;
}

export interface ShellRunOptions {
  commands: readonly string[];
  prompt: RegExp;
  newline: string;
  commandTimeoutMs: number;
  /** Sent first (e.g. "terminal length 0"); its output is not reported. */
  disablePaging?: string | undefined;
}

export type ShellStop =
  | { kind: 'done' }
  | { kind: 'truncated' }
  | { kind: 'error'; code: string; message: string };

/**
 * Runs commands one after another on a session that is sitting at its
 * prompt. Stops at the first command that times out (a wedged CLI cannot be
 * trusted with the next command), at the output cap, or when the peer
 * leaves. `snapshot()` gives the outputs so far, including the command in
 * flight, for partial results at the job deadline.
 */
export class ShellCommandRun {
  readonly outputs: ShellOutput[] = [];
  #current: string | null = null;

  constructor(
    private readonly session: CliSession,
    private readonly options: ShellRunOptions,
  ) {}

  snapshot(): ShellOutput[] {
    if (this.#current === null) return [...this.outputs];
    const output = extractCommandOutput(this.session.captured, this.#current, { promptSeen: false });
    return [...this.outputs, { command: this.#current, output }];
  }

  async run(): Promise<ShellStop> {
    const prompt: WaitPattern[] = [{ name: 'prompt', regex: this.options.prompt, scope: 'line' }];
    if (this.options.disablePaging !== undefined) {
      this.session.send(this.options.disablePaging + this.options.newline, { charge: false });
      const result = await this.session.waitFor(prompt, this.options.commandTimeoutMs);
      if (result.kind !== 'match') return this.#describe(result.kind, `disablePaging command "${this.options.disablePaging}"`);
    }
    for (const [index, command] of this.options.commands.entries()) {
      this.#current = command;
      this.session.send(command + this.options.newline, { charge: true });
      const result = await this.session.waitFor(prompt, this.options.commandTimeoutMs);
      const output = extractCommandOutput(this.session.captured, command, { promptSeen: result.kind === 'match' });
      this.#current = null;
      if (result.kind === 'match') {
        this.outputs.push({ command, output });
        continue;
      }
      // A last command such as "exit" or "quit" legitimately ends the session instead of returning a prompt.
      if (result.kind === 'closed' && index === this.options.commands.length - 1) {
        this.outputs.push({ command, output });
        return { kind: 'done' };
      }
      if (result.kind === 'cut') {
        this.outputs.push({ command, output, truncated: true });
        return { kind: 'truncated' };
      }
      if (result.kind === 'timeout') this.outputs.push({ command, output, timedOut: true });
      else this.outputs.push({ command, output });
      return this.#describe(result.kind, `command "${command}"`);
    }
    return { kind: 'done' };
  }

  #describe(kind: 'timeout' | 'closed' | 'aborted' | 'cut', what: string): ShellStop {
    if (kind === 'cut') return { kind: 'truncated' };
    if (kind === 'timeout') {
      return { kind: 'error', code: 'E_TIMEOUT', message: `${what}: no prompt within ${this.options.commandTimeoutMs} ms` };
    }
    if (kind === 'closed') return { kind: 'error', code: 'E_CLOSED', message: `${what}: the device closed the session before the prompt came back` };
    return { kind: 'error', code: 'E_TIMEOUT', message: `${what}: job deadline reached` };
  }
}
