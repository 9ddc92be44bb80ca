import type { CliSession, WaitPattern } from '../cli-session/cli-session.js';

export interface LoginOptions {
  username?: string | undefined;
  password?: string | undefined;
  loginPrompt: RegExp;
  passwordPrompt: RegExp;
  prompt: RegExp;
  newline: string;
  timeoutMs: number;
}

export type LoginResult = { ok: true } | { ok: false; code: string; message: string };

/** What devices print after a rejected password (Linux login, Cisco, Huawei, ZTE, D-Link, BDCOM, Eltex). */
const REJECTED = /login incorrect|authentication fail|access denied|bad password|incorrect password|invalid (login|password|user)|login invalid|wrong password|% ?(login|authentication) (failed|invalid)/i;

/**
 * Telnet login state machine. The device leads: whatever prompt shows up
 * next is answered (username, then password), and the session is ready when
 * the shell prompt appears. A login or password prompt coming back after the
 * password, a rejection message, or the device hanging up after the password
 * means the credentials were refused (E_AUTH).
 */
export async function logIn(session: CliSession, options: LoginOptions): Promise<LoginResult> {
  let sentUser = false;
  let sentPassword = false;
  const patterns: WaitPattern[] = [
    { name: 'rejected', regex: REJECTED, scope: 'text' },
    { name: 'password', regex: options.passwordPrompt, scope: 'line' },
    { name: 'login', regex: options.loginPrompt, scope: 'line' },
    { name: 'prompt', regex: options.prompt, scope: 'line' },
  ];
  // Bounded: username, password, and at most a couple of re-asks before we call it.
  for (let step = 0; step < 6; step += 1) {
    const active = sentPassword ? patterns : patterns.filter((p) => p.name !== 'rejected');
    const result = await session.waitFor(active, options.timeoutMs);
    const waitingFor = sentPassword ? 'shell prompt after the password' : sentUser ? 'password prompt' : 'login prompt';
    if (result.kind === 'timeout') return refuse('E_TIMEOUT', `no ${waitingFor} within ${options.timeoutMs} ms`);
    if (result.kind === 'aborted') return refuse('E_TIMEOUT', `job deadline reached while waiting for the ${waitingFor}`);
    if (result.kind === 'closed') {
      return sentPassword ? refuse('E_AUTH', 'the device hung up after the password (credentials refused)') : refuse('E_CLOSED', `the device closed the connection while we waited for the ${waitingFor}`);
    }
    if (result.kind === 'cut') return refuse('E_CLOSED', 'login banner exceeded the output cap');

    switch (result.name) {
      case 'rejected':
        return refuse('E_AUTH', 'the device rejected the credentials');
      case 'prompt':
        return { ok: true };
      case 'login':
        if (sentUser || sentPassword) return refuse('E_AUTH', 'the device asked for the login again (credentials refused)');
        if (options.username === undefined) return refuse('E_AUTH', 'the device asks for a username but params.username is not set');
        session.send(options.username + options.newline, { charge: false });
        sentUser = true;
        break;
      case 'password':
        if (sentPassword) return refuse('E_AUTH', 'the device asked for the password again (credentials refused)');
        if (options.password === undefined) return refuse('E_AUTH', 'the device asks for a password but params.password is not set');
        session.send(options.password + options.newline, { charge: false });
        sentPassword = true;
        break;
    }
  }
  return refuse('E_AUTH', 'login did not reach the shell prompt');
}

function refuse(code: string, message: string): LoginResult {
  return { ok: false, code, message };
}
