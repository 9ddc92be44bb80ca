import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PROMPT, hasNestedQuantifier } from '../../poller/lib/executors/cli-session/cli-params.js';
import { createTelnetExecutors } from '../../poller/lib/executors/telnet/telnet-executors.js';
import { createSshExecutors } from '../../poller/lib/executors/ssh/ssh-executors.js';
import { createSilentLogger } from '../../common/logger.js';
import { runCliJob } from '../ssh/run-cli-job.js';

const telnet = createTelnetExecutors({ log: createSilentLogger() }).executors[0]!;
const ssh = createSshExecutors({ log: createSilentLogger() }).executors[0]!;

const NESTED = ['(a+)+', '(a*)*', '(.+)+', String.raw`(\w+\s?)*`, '((ab)+c){2,}', '/(x+x+)+y/i', '(?:a+)+', '(?<n>a|b+)*', '((a+)?)+', '(a{1,3}){2}', '(a?a)+$'];
const SAFE = [
  DEFAULT_PROMPT, String.raw`/(login|username|user name)\s*:\s*$/i`, String.raw`/password\s*:\s*$/i`, '--More--', String.raw`/---- More ----|--More--/`,
  '(a+)?', '(ab)+', '[(a+)]+', String.raw`\(a+\)+`, '(?:ab)+c*', 'a{2,}b+', '(a+){1}', '(a+){0,1}', '(?=a+)b', 'x{',
];

describe('user regexes that could backtrack catastrophically are refused', () => {
  it('detects a repeated group that contains a quantifier, and only that', () => {
    for (const source of NESTED) assert.equal(hasNestedQuantifier(source), true, source);
    for (const source of SAFE) assert.equal(hasNestedQuantifier(source), false, source);
  });

  it('telnet.exec names each offending field (prompt, pager.regex, loginPrompt, passwordPrompt)', async () => {
    const run = await runCliJob(telnet, {
      type: 'telnet.exec',
      target: { host: '127.0.0.1', port: 23 },
      params: { commands: ['show ver'], prompt: '(a+)+$', pager: { regex: '(.+)+x' }, loginPrompt: String.raw`/(\w+\s?)*:$/i`, passwordPrompt: '(a*)*' },
    });
    assert.ok(run.invalid, 'expected an invalid job');
    assert.deepEqual(run.invalid.map((line) => line.split(':')[0]).sort(), ['params.loginPrompt', 'params.pager.regex', 'params.passwordPrompt', 'params.prompt']);
    for (const line of run.invalid) assert.match(line, /must not repeat a group that contains a quantifier/);
  });

  it('ssh.exec names prompt and pager.regex', async () => {
    const run = await runCliJob(ssh, {
      type: 'ssh.exec',
      target: { host: '127.0.0.1', port: 22 },
      params: { username: 'u', password: 'p', mode: 'shell', commands: ['x'], prompt: '(.+)+#', pager: { regex: '(a+)+' } },
    });
    assert.ok(run.invalid, 'expected an invalid job');
    assert.deepEqual(run.invalid.map((line) => line.split(':')[0]).sort(), ['params.pager.regex', 'params.prompt']);
  });

  it('accepts the defaults and ordinary device patterns', async () => {
    const run = await runCliJob(telnet, {
      type: 'telnet.exec',
      target: { host: '127.0.0.1', port: 23 },
      params: { commands: ['show ver'], pager: { regex: '/---- More ----|--More--/' }, prompt: String.raw`/^(<[\w-]+>|[\w-]+[#>])\s*$/` },
    });
    assert.equal(run.invalid, null);
  });
});
