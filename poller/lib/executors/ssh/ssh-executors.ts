import type { ParsedKey } from 'ssh2';
import type { Executor, ExecutorGroup, ExecutorOptions, Outcome } from '../executor.js';
import { failed } from '../executor.js';
import { compileRegex } from '../cli-session/cli-params.js';
import { OutputBudget } from '../cli-session/output-budget.js';
import type { ShellOutput, ShellStop } from '../cli-session/shell-commands.js';
import { sshParamsSchema, type SshParams } from './ssh-params.js';
import { connectSsh } from './ssh-connect.js';
import { checkPrivateKey, decryptPrivateKey } from './private-key.js';
import { ExecCommandRun, type ExecOutput } from './ssh-exec-mode.js';
import { ShellModeRun } from './ssh-shell-mode.js';

const DEFAULT_SSH_PORT = 22;

/**
 * `ssh.exec`: run commands on a device over SSH, one connection per job.
 * Data: `hostKey` ("SHA256:..."), `outputs: [{command, output, exitCode}]`
 * (exec mode adds `stderr`; shell mode has `exitCode: null`), `truncated`.
 * The command that hit commandTimeoutMs carries `timedOut: true` and the job
 * ends with E_TIMEOUT; commands after it are not run.
 */
const sshExec: Executor<SshParams> = {
  type: 'ssh.exec',
  params: sshParamsSchema,
  check(_target, params) {
    if (params.password === undefined && params.privateKey === undefined) return 'params.password: required (or params.privateKey)';
    // Format only: decrypting an encrypted key costs bcrypt rounds, so it happens once, in run.
    if (params.privateKey !== undefined) return checkPrivateKey(params.privateKey, params.passphrase);
    return undefined;
  },
  async run(job, ctx): Promise<Outcome> {
    const params = job.params;
    const host = job.target!.host;
    const port = job.target!.port ?? DEFAULT_SSH_PORT;
    const budget = new OutputBudget(params.maxOutputBytes);
    let privateKey: ParsedKey | undefined;
    if (params.privateKey !== undefined) {
      const parsed = decryptPrivateKey(params.privateKey, params.passphrase);
      if (parsed instanceof Error) return failed('E_AUTH', `params.privateKey: cannot be decrypted (${parsed.message})`, { hostKey: null, outputs: [], truncated: false });
      privateKey = parsed;
    }
    ctx.log.debug({ host, port, mode: params.mode, commands: params.commands.length }, 'ssh connecting');
    const connection = await connectSsh({ host, port, params, privateKey, readyTimeoutMs: params.connectTimeoutMs, signal: ctx.signal });
    if (!connection.ok) return failed(connection.code, connection.message, { hostKey: connection.hostKey, outputs: [], truncated: false });

    const { client, hostKey } = connection;
    client.on('error', () => {});
    const runner = params.mode === 'exec'
      ? new ExecCommandRun(client, { commands: params.commands, commandTimeoutMs: params.commandTimeoutMs, budget })
      : new ShellModeRun(client, {
        commands: params.commands,
        prompt: compileRegex(params.prompt),
        pager: params.pager ? { regex: compileRegex(params.pager.regex), answer: params.pager.answer } : undefined,
        disablePaging: params.disablePaging,
        newline: params.newline,
        commandTimeoutMs: params.commandTimeoutMs,
        budget,
        signal: ctx.signal,
      });
    const dataOf = (outputs: Array<ExecOutput | ShellOutput>) => ({
      hostKey,
      outputs: outputs.map((output) => ('exitCode' in output ? output : { ...output, exitCode: null })),
      truncated: budget.truncated,
    });
    const onAbort = () => {
      ctx.setPartial(dataOf(runner.snapshot()));
      client.destroy();
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const stop: ShellStop = await runner.run();
      const data = dataOf(runner.outputs);
      if (stop.kind === 'error') return failed(stop.code, `${host}:${port}: ${stop.message}`, data);
      return { status: 'ok', data };
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      client.end();
    }
  },
};

export function createSshExecutors(_options: ExecutorOptions): ExecutorGroup {
  return { executors: [sshExec], close: async () => {} };
}
