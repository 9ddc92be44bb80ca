import { execa } from 'execa';
import { UsmError } from '../../../common/usm-error.js';

export interface ToolResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ToolOptions {
  /** Secrets go here, never in argv. */
  input?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Return non-zero exits instead of throwing. */
  allowFailure?: boolean;
}

/**
 * Runs a system tool (wg, wg-quick, nft, ip, systemctl, rabbitmqctl, docker)
 * with an argv array and a timeout. A failure names the command and the
 * tool's own last words, never the input (it may carry a secret).
 */
export type RunTool = (file: string, args: readonly string[], options?: ToolOptions) => Promise<ToolResult>;

export const runTool: RunTool = async (file, args, options = {}) => {
  const result = await execa(file, [...args], {
    timeout: options.timeoutMs ?? 60_000,
    reject: false,
    stripFinalNewline: true,
    ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    ...(options.env ? { env: options.env } : {}),
  });
  const exitCode = result.exitCode ?? -1;
  if (exitCode !== 0 && !options.allowFailure) {
    const why = result.timedOut ? `timed out after ${options.timeoutMs ?? 60_000} ms` : String(result.stderr || result.stdout || result.message || 'no output').split('\n').slice(-3).join(' ').trim();
    throw new UsmError('E_TOOL', `${file} ${args.join(' ')} failed: ${why}`);
  }
  return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exitCode };
};
