import type { Client, ClientChannel } from 'ssh2';
import { CappedText, type OutputBudget } from '../cli-session/output-budget.js';
import type { ShellStop } from '../cli-session/shell-commands.js';

export interface ExecOutput {
  command: string;
  output: string;
  stderr: string;
  /** The remote exit status; null when the device sends none (common on network gear) or the command died by a signal. */
  exitCode: number | null;
  signal?: string;
  timedOut?: true;
  truncated?: true;
}

interface Running {
  command: string;
  stdout: CappedText;
  stderr: CappedText;
}

/**
 * Exec mode: one channel per command on the job's single connection. Output
 * is the command's stdout as sent (CR LF folded to LF), stderr apart. A
 * command that outlives commandTimeoutMs has its channel closed, keeps the
 * output it produced with `timedOut: true`, and ends the job (E_TIMEOUT);
 * the output cap closes the channel and ends the job with `truncated`.
 */
export class ExecCommandRun {
  readonly outputs: ExecOutput[] = [];
  #running: Running | null = null;

  constructor(
    private readonly client: Client,
    private readonly options: { commands: readonly string[]; commandTimeoutMs: number; budget: OutputBudget },
  ) {}

  snapshot(): ExecOutput[] {
    const running = this.#running;
    if (!running) return [...this.outputs];
    return [...this.outputs, { command: running.command, output: fold(running.stdout.text), stderr: fold(running.stderr.text), exitCode: null }];
  }

  async run(): Promise<ShellStop> {
    for (const command of this.options.commands) {
      const stop = await this.#runOne(command);
      if (stop.kind !== 'done') return stop;
    }
    return { kind: 'done' };
  }

  #runOne(command: string): Promise<ShellStop> {
    const running: Running = { command, stdout: new CappedText(this.options.budget), stderr: new CappedText(this.options.budget) };
    this.#running = running;
    return new Promise((resolve) => {
      let exitCode: number | null = null;
      let signal: string | undefined;
      let timedOut = false;
      let channel: ClientChannel | undefined;
      let finished = false;
      // OpenSSH answers our close only once the remote process exits, so a stuck command is abandoned, not awaited.
      // A device that never answers the channel open is abandoned too: the channel, should it come late, is closed on arrival.
      const abandon = () => {
        if (channel) {
          try {
            channel.signal('KILL');
          } catch {
            // The channel may already be gone.
          }
          channel.close();
        }
        finish({ kind: 'done' });
      };
      const timer = setTimeout(() => {
        timedOut = true;
        abandon();
      }, this.options.commandTimeoutMs);

      const finish = (stop: ShellStop) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        const truncated = running.stdout.cut || running.stderr.cut;
        const output: ExecOutput = { command, output: fold(running.stdout.text), stderr: fold(running.stderr.text), exitCode };
        if (signal !== undefined) output.signal = signal;
        if (timedOut) output.timedOut = true;
        if (truncated) output.truncated = true;
        this.outputs.push(output);
        this.#running = null;
        if (timedOut) return resolve({ kind: 'error', code: 'E_TIMEOUT', message: `command "${command}" still running after ${this.options.commandTimeoutMs} ms` });
        if (truncated) return resolve({ kind: 'truncated' });
        resolve(stop);
      };

      try {
        this.client.exec(command, (error, opened) => {
          if (error) {
            if (finished) return;
            finished = true;
            clearTimeout(timer);
            this.#running = null;
            return resolve({ kind: 'error', code: 'E_CHANNEL', message: `command "${command}": the device refused an exec channel (${error.message}); try mode "shell"` });
          }
          channel = opened;
          channel.on('error', () => {});
          channel.stderr.on('error', () => {});
          if (finished) return abandon();
          const onChunk = (sink: CappedText) => (chunk: Buffer) => {
            if (!finished && !sink.push(chunk)) abandon();
          };
          channel.on('data', onChunk(running.stdout));
          channel.stderr.on('data', onChunk(running.stderr));
          channel.on('exit', (code: number | null, signalName?: string) => {
            exitCode = typeof code === 'number' ? code : null;
            if (typeof signalName === 'string') signal = signalName;
          });
          channel.on('close', () => finish({ kind: 'done' }));
        });
      } catch (error) {
        // ssh2 throws synchronously when the connection is already gone.
        clearTimeout(timer);
        this.#running = null;
        resolve({ kind: 'error', code: 'E_CLOSED', message: `command "${command}": ${(error as Error).message}` });
      }
    });
  }
}

function fold(text: string): string {
  return text.replace(/\r\n/g, '\n');
}
