import { z } from 'zod';
import type { Executor, ExecutorGroup, ExecutorOptions, Outcome } from '../executor.js';
import { failed } from '../executor.js';
import {
  DEFAULT_PROMPT, commandTimeoutSchema, connectTimeoutSchema, commandsSchema, commandSchema, compileRegex, maxOutputBytesSchema, newlineSchema, pagerSchema, regexSchema,
} from '../cli-session/cli-params.js';
import { OutputBudget } from '../cli-session/output-budget.js';
import { ShellCommandRun, type ShellOutput } from '../cli-session/shell-commands.js';
import { connectTelnet } from './telnet-connection.js';
import { logIn } from './telnet-login.js';

const paramsSchema = z.strictObject({
  username: z.string().min(1).max(256).optional(),
  password: z.string().max(1024).optional(),
  loginPrompt: regexSchema.default(String.raw`/(login|username|user name)\s*:\s*$/i`),
  passwordPrompt: regexSchema.default(String.raw`/password\s*:\s*$/i`),
  prompt: regexSchema.default(DEFAULT_PROMPT),
  commands: commandsSchema,
  pager: pagerSchema.optional(),
  disablePaging: commandSchema.optional(),
  // Telnet's end of line is CR LF (RFC 854); some gear wants a bare CR.
  newline: newlineSchema.default('\r\n'),
  commandTimeoutMs: commandTimeoutSchema,
  connectTimeoutMs: connectTimeoutSchema,
  maxOutputBytes: maxOutputBytesSchema,
});
type TelnetParams = z.infer<typeof paramsSchema>;

const DEFAULT_TELNET_PORT = 23;

/**
 * `telnet.exec`: log in over telnet and run CLI commands at the prompt.
 * Data: `outputs: [{command, output}]` (+ `timedOut`/`truncated` on the
 * command that hit a limit) and `truncated` for the job.
 */
const telnetExec: Executor<TelnetParams> = {
  type: 'telnet.exec',
  params: paramsSchema,
  async run(job, ctx): Promise<Outcome> {
    const params = job.params;
    const host = job.target!.host;
    const port = job.target!.port ?? DEFAULT_TELNET_PORT;
    const budget = new OutputBudget(params.maxOutputBytes);
    const pager = params.pager ? { regex: compileRegex(params.pager.regex), answer: params.pager.answer } : undefined;
    const prompt = compileRegex(params.prompt);
    const connection = await connectTelnet({ host, port, connectTimeoutMs: params.connectTimeoutMs, pager, budget, signal: ctx.signal });
    if (!connection.ok) return failed(connection.code, connection.message, { outputs: [] });
    const { session } = connection;
    let runner: ShellCommandRun | undefined;
    const dataOf = (outputs: ShellOutput[]) => ({ outputs, truncated: budget.truncated });
    const onAbort = () => ctx.setPartial(dataOf(runner?.snapshot() ?? []));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const login = await logIn(session, {
        username: params.username,
        password: params.password,
        loginPrompt: compileRegex(params.loginPrompt),
        passwordPrompt: compileRegex(params.passwordPrompt),
        prompt,
        newline: params.newline,
        timeoutMs: params.commandTimeoutMs,
      });
      if (!login.ok) return failed(login.code, `${host}:${port}: ${login.message}`, dataOf([]));
      ctx.log.debug({ host, port }, 'telnet login done');
      runner = new ShellCommandRun(session, {
        commands: params.commands,
        prompt,
        newline: params.newline,
        commandTimeoutMs: params.commandTimeoutMs,
        disablePaging: params.disablePaging,
      });
      const stop = await runner.run();
      const data = dataOf(runner.outputs);
      if (stop.kind === 'error') return failed(stop.code, `${host}:${port}: ${stop.message}`, data);
      return { status: 'ok', data };
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      session.dispose();
      connection.close();
    }
  },
};

export function createTelnetExecutors(_options: ExecutorOptions): ExecutorGroup {
  return { executors: [telnetExec], close: async () => {} };
}
