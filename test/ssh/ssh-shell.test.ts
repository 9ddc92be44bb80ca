import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSshExecutors } from '../../poller/lib/executors/ssh/ssh-executors.js';
import { createSilentLogger } from '../../common/logger.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { outputsOf, runValidJob } from './run-cli-job.js';
import { expectedRunningConfig } from '../fixtures/fake-device/expected-output.js';

const executor = createSshExecutors({ log: createSilentLogger() }).executors[0]!;
const PAGER = { regex: '--More--', answer: ' ' };

describe('ssh.exec shell mode against the fake device CLI as login shell', { timeout: 120_000 }, () => {
  let sshd: SshdHandle;
  before(async () => {
    sshd = await startSshd({ shell: 'fake-cli' });
  });
  after(async () => {
    await sshd?.stop();
  });
  const job = (params: Record<string, unknown>, timeoutMs = 30_000) => ({
    type: 'ssh.exec',
    target: { host: sshd.host, port: sshd.port },
    timeoutMs,
    params: { username: sshd.username, password: sshd.password, mode: 'shell', prompt: 'sw-core-1#$', ...params },
  });

  it('waits for the prompt, strips the echo and the prompt, exitCode null', async () => {
    const result = await runValidJob(executor, job({ commands: ['show clock', 'show version', 'show bogus'] }));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    const outputs = outputsOf(result);
    assert.deepEqual(outputs[0], { command: 'show clock', output: '*10:00:00.000 UTC Tue Nov 25 2025', exitCode: null });
    assert.match(outputs[1]!.output, /^Cisco IOS Software, C2960 .*\nROM: .*\n.*uptime is .*\nModel number +: WS-C2960-24TT-L\nSystem serial number +: FOC1234X0AB$/);
    assert.equal(outputs[2]!.output, "% Invalid input detected at '^' marker.");
    assert.equal(result.data?.hostKey, sshd.hostKeyFingerprint);
  });

  it('answers --More-- pages and returns the whole running-config without pager debris', async () => {
    const result = await runValidJob(executor, job({ commands: ['show running-config'], pager: PAGER }));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    const config = outputsOf(result)[0]!.output;
    assert.equal(config, expectedRunningConfig());
  });

  it('sends the disable-paging command first and leaves it out of the outputs', async () => {
    const result = await runValidJob(executor, job({ commands: ['show running-config'], disablePaging: 'terminal length 0' }));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(outputsOf(result).length, 1);
    assert.equal(outputsOf(result)[0]!.output, expectedRunningConfig());
  });

  it('without a pager or disable-paging, a paged command times out at --More-- with its first page', async () => {
    const result = await runValidJob(executor, job({ commands: ['show running-config'], commandTimeoutMs: 1500 }));
    assert.equal(result.status, 'timeout');
    assert.equal(result.error?.code, 'E_TIMEOUT');
    const output = outputsOf(result)[0]!;
    assert.equal(output.timedOut, true);
    assert.equal(output.output.split('\n').length, 21, 'first page (20 lines) plus the pager line');
    assert.match(output.output, /--More--$/);
  });

  it('accepts "exit" as the last command even though no prompt comes back', async () => {
    const result = await runValidJob(executor, job({ commands: ['show clock', 'exit'] }));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(outputsOf(result).map((o) => o.command), ['show clock', 'exit']);
  });

  it('caps a flood of paged output and reports truncated', async () => {
    const result = await runValidJob(executor, job({ commands: ['show logging', 'show clock'], pager: PAGER, maxOutputBytes: 5000 }));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(result.data?.truncated, true);
    const outputs = outputsOf(result);
    assert.equal(outputs.length, 1);
    assert.equal(outputs[0]!.truncated, true);
    assert.match(outputs[0]!.output, /^000001: %LINK-3-UPDOWN/);
    assert.ok(Buffer.byteLength(outputs[0]!.output) <= 5000);
  });

  it('times out a wedged command and keeps what came before', async () => {
    const result = await runValidJob(executor, job({ commands: ['show clock', 'show slow', 'show version'], commandTimeoutMs: 1000 }));
    assert.equal(result.status, 'timeout');
    const outputs = outputsOf(result);
    assert.equal(outputs.length, 2);
    assert.equal(outputs[0]!.output, '*10:00:00.000 UTC Tue Nov 25 2025');
    assert.equal(outputs[1]!.timedOut, true);
  });

  it('reports E_TIMEOUT when the prompt regex never matches', async () => {
    const result = await runValidJob(executor, job({ commands: ['show clock'], prompt: 'router>$', commandTimeoutMs: 800 }));
    assert.equal(result.error?.code, 'E_TIMEOUT');
    assert.match(result.error?.message ?? '', /params\.prompt/);
  });
});
