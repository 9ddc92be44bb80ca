import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { createTelnetExecutors } from '../../poller/lib/executors/telnet/telnet-executors.js';
import { createSilentLogger } from '../../common/logger.js';
import { startTelnetd, type TelnetdHandle } from '../support/telnetd.js';
import { findFreePort } from '../support/sshd.js';
import { expectedRunningConfig } from '../fixtures/fake-device/expected-output.js';
import { createCapturingLogger, outputsOf, runCliJob, runValidJob } from '../ssh/run-cli-job.js';

const executor = createTelnetExecutors({ log: createSilentLogger() }).executors[0]!;
const USERNAME = 'noc-admin';
const PASSWORD = 'Tr0ub4dor&3-telnet';

describe('telnet.exec against inetutils telnetd running the fake device CLI', { timeout: 120_000 }, () => {
  let telnetd: TelnetdHandle;
  before(async () => {
    telnetd = await startTelnetd({ username: USERNAME, password: PASSWORD });
  });
  after(async () => {
    await telnetd?.stop();
  });
  const job = (params: Record<string, unknown>, timeoutMs = 30_000) => ({
    type: 'telnet.exec',
    target: { host: telnetd.host, port: telnetd.port },
    timeoutMs,
    params: { username: USERNAME, password: PASSWORD, prompt: 'sw-core-1#$', ...params },
  });

  it('logs in, runs commands, answers --More-- and returns clean outputs', async () => {
    const result = await runValidJob(executor, job({ commands: ['show clock', 'show running-config', 'show version'], pager: { regex: '--More--', answer: ' ' } }));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    const outputs = outputsOf(result);
    assert.deepEqual(outputs[0], { command: 'show clock', output: '*10:00:00.000 UTC Tue Nov 25 2025' });
    assert.equal(outputs[1]!.output, expectedRunningConfig());
    assert.match(outputs[2]!.output, /^Cisco IOS Software/);
    assert.equal(result.data?.truncated, false);
  });

  it('works with the default prompt regex and a disable-paging command', async () => {
    const result = await runValidJob(executor, job({ prompt: undefined, commands: ['show running-config'], disablePaging: 'terminal length 0' }));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(outputsOf(result)[0]!.output, expectedRunningConfig());
  });

  it('reports a wrong password as E_AUTH (the device says "% Login invalid" and asks again)', async () => {
    const result = await runValidJob(executor, job({ password: 'not-the-password', commands: ['show clock'] }));
    assert.equal(result.status, 'error');
    assert.equal(result.error?.code, 'E_AUTH');
    assert.deepEqual(outputsOf(result), []);
  });

  it('caps output and reports truncated', async () => {
    const result = await runValidJob(executor, job({ commands: ['show logging', 'show clock'], disablePaging: 'terminal length 0', maxOutputBytes: 3000 }));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(result.data?.truncated, true);
    assert.equal(outputsOf(result).length, 1);
    assert.equal(outputsOf(result)[0]!.truncated, true);
  });

  it('returns the outputs so far when the whole-job deadline hits mid-command', async () => {
    const result = await runValidJob(executor, job({ commands: ['show clock', 'show slow'], commandTimeoutMs: 60_000 }, 2500));
    assert.equal(result.status, 'timeout');
    assert.equal(result.error?.code, 'E_TIMEOUT');
    assert.deepEqual(outputsOf(result), [
      { command: 'show clock', output: '*10:00:00.000 UTC Tue Nov 25 2025' },
      { command: 'show slow', output: '' },
    ]);
  });

  it('keeps the password out of results and log records', async () => {
    const capture = createCapturingLogger();
    const ok = await runValidJob(executor, job({ commands: ['show clock'] }), capture.log);
    const bad = await runValidJob(executor, job({ password: `${PASSWORD}-x`, commands: ['show clock'] }), capture.log);
    assert.equal(ok.status, 'ok');
    assert.equal(bad.error?.code, 'E_AUTH');
    assert.ok(capture.records().length > 0);
    for (const text of [JSON.stringify(ok), JSON.stringify(bad), capture.text()]) assert.ok(!text.includes(PASSWORD), 'password leaked');
  });
});

/** A TCP peer that runs a script against whatever connects (old-gear behaviours telnetd cannot produce). */
async function startScriptedPeer(script: (socket: Socket, received: Buffer[]) => void): Promise<{ port: number; received: Buffer[]; stop(): Promise<void> }> {
  const received: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', (chunk) => received.push(chunk));
    script(socket, received);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', () => ready()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    received,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

describe('telnet.exec against scripted peers', { timeout: 60_000 }, () => {
  const job = (port: number, params: Record<string, unknown>, timeoutMs = 20_000) => ({
    type: 'telnet.exec',
    target: { host: '127.0.0.1', port },
    timeoutMs,
    params: { username: 'admin', password: 'secret-pw', commands: ['show ver'], ...params },
  });

  it('reports a silent server (accepts TCP, never sends a byte) as E_TIMEOUT', async () => {
    const peer = await startScriptedPeer(() => {});
    try {
      const result = await runValidJob(executor, job(peer.port, { commandTimeoutMs: 500 }));
      assert.equal(result.status, 'timeout');
      assert.equal(result.error?.code, 'E_TIMEOUT');
      assert.match(result.error?.message ?? '', /^127\.0\.0\.1:\d+: no login prompt within 500 ms$/);
    } finally {
      await peer.stop();
    }
  });

  it('reports a refused port as E_REFUSED', async () => {
    const port = await findFreePort();
    const result = await runValidJob(executor, job(port, {}));
    assert.equal(result.error?.code, 'E_REFUSED');
  });

  it('survives negotiation split mid-command, subnegotiation and a password-only login, and answers as a telnet client must', async () => {
    const IAC = 0xff;
    const peer = await startScriptedPeer((socket, received) => {
      socket.write(Buffer.from([IAC, 253, 24, IAC, 251])); // DO TTYPE, then WILL ... split
      setTimeout(() => socket.write(Buffer.from([1, IAC, 251, 3, IAC, 250, 24, 1, IAC, IAC, IAC, 240])), 20); // ... ECHO, WILL SGA, SB TTYPE SEND
      setTimeout(() => socket.write('\r\n\r\nPassword: '), 40);
      let stage = 0;
      socket.on('data', () => {
        const text = Buffer.concat(received).toString('latin1');
        if (stage === 0 && text.includes('secret-pw\r\n')) {
          stage = 1;
          socket.write('\r\n<OLT-1>');
        } else if (stage === 1 && text.includes('show ver\r\n')) {
          stage = 2;
          socket.write(Buffer.concat([Buffer.from('show ver\r\nVRP (R) software, Version 5.170\r\nuptime '), Buffer.from([IAC, IAC]), Buffer.from(' days\r\n<OLT-1>')]));
        }
      });
    });
    try {
      const result = await runValidJob(executor, job(peer.port, { username: undefined }));
      assert.equal(result.status, 'ok', JSON.stringify(result.error));
      assert.deepEqual(outputsOf(result), [{ command: 'show ver', output: 'VRP (R) software, Version 5.170\nuptime \ufffd days' }]);
      const sent = Buffer.concat(peer.received).toString('hex');
      assert.ok(sent.startsWith('fffc18fffd01fffd03'), `negotiation answers: ${sent}`);
    } finally {
      await peer.stop();
    }
  });

  it('treats the login prompt coming back after the password as E_AUTH', async () => {
    const peer = await startScriptedPeer((socket) => {
      socket.write('login: ');
      let buffer = '';
      socket.on('data', (chunk) => {
        buffer += chunk.toString('latin1');
        if (buffer.endsWith('admin\r\n')) socket.write('admin\r\nPassword: ');
        else if (buffer.endsWith('secret-pw\r\n')) socket.write('\r\n\r\nlogin: ');
      });
    });
    try {
      const result = await runValidJob(executor, job(peer.port, {}));
      assert.equal(result.error?.code, 'E_AUTH');
      assert.match(result.error?.message ?? '', /login again/);
    } finally {
      await peer.stop();
    }
  });

  it('names invalid params by field', async () => {
    const run = await runCliJob(executor, job(23, { commands: [], pager: { regex: '(' }, newline: '\t' }));
    assert.ok(run.invalid);
    assert.deepEqual(run.invalid.map((line) => line.split(':')[0]).sort(), ['params.commands', 'params.newline', 'params.pager.regex']);
  });
});
