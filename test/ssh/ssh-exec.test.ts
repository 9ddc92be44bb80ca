import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { classifyConnectError } from '../../poller/lib/executors/cli-session/connect-error.js';
import { createSshExecutors } from '../../poller/lib/executors/ssh/ssh-executors.js';
import { createSilentLogger } from '../../common/logger.js';
import { findFreePort, startSshd, type SshdHandle } from '../support/sshd.js';
import { createCapturingLogger, outputsOf, runCliJob, runValidJob } from './run-cli-job.js';

const executor = createSshExecutors({ log: createSilentLogger() }).executors[0]!;

describe('ssh.exec exec mode against OpenSSH (password + public key)', { timeout: 120_000 }, () => {
  let sshd: SshdHandle;
  before(async () => {
    sshd = await startSshd({ shell: 'bash', keyboardInteractive: false });
  });
  after(async () => {
    await sshd?.stop();
  });
  const job = (params: Record<string, unknown>, timeoutMs = 20_000) => ({
    type: 'ssh.exec',
    target: { host: sshd.host, port: sshd.port },
    timeoutMs,
    params: { username: sshd.username, password: sshd.password, ...params },
  });

  it('runs each command on its own channel with exit codes, stderr and the host key fingerprint', async () => {
    const result = await runValidJob(executor, job({ commands: ['echo hello', 'echo oops >&2; exit 3', 'printf "a\\r\\nb"'] }));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.deepEqual(outputsOf(result), [
      { command: 'echo hello', output: 'hello\n', stderr: '', exitCode: 0 },
      { command: 'echo oops >&2; exit 3', output: '', stderr: 'oops\n', exitCode: 3 },
      { command: 'printf "a\\r\\nb"', output: 'a\nb', stderr: '', exitCode: 0 },
    ]);
    assert.equal(result.data?.hostKey, sshd.hostKeyFingerprint);
    assert.equal(result.data?.truncated, false);
    assert.match(sshd.log(), new RegExp(`Accepted password for ${sshd.username}`));
  });

  it('authenticates with a private key, and with a passphrase-protected one', async () => {
    const plain = await runValidJob(executor, job({ password: undefined, privateKey: sshd.privateKey, commands: ['id -un'] }));
    assert.equal(plain.status, 'ok', JSON.stringify(plain.error));
    assert.equal(outputsOf(plain)[0]?.output, `${sshd.username}\n`);
    const encrypted = await runValidJob(executor, job({ password: undefined, privateKey: sshd.encryptedPrivateKey, passphrase: sshd.passphrase, commands: ['id -un'] }));
    assert.equal(encrypted.status, 'ok', JSON.stringify(encrypted.error));
    assert.match(sshd.log(), new RegExp(`Accepted publickey for ${sshd.username}`));
  });

  it('reports a wrong password as E_AUTH', async () => {
    const result = await runValidJob(executor, job({ password: 'definitely-wrong', commands: ['true'] }));
    assert.equal(result.status, 'error');
    assert.equal(result.error?.code, 'E_AUTH');
    assert.equal(result.data?.hostKey, sshd.hostKeyFingerprint);
  });

  it('reports a refused port as E_REFUSED', async () => {
    const port = await findFreePort();
    const result = await runValidJob(executor, { ...job({ commands: ['true'] }), target: { host: '127.0.0.1', port } });
    assert.equal(result.status, 'error');
    assert.equal(result.error?.code, 'E_REFUSED');
  });

  it('stops a command that outlives commandTimeoutMs, keeping its output so far', async () => {
    const result = await runValidJob(executor, job({ commands: ['echo first', 'echo started; sleep 8; echo never', 'echo not-run'], commandTimeoutMs: 1500 }));
    assert.equal(result.status, 'timeout');
    assert.equal(result.error?.code, 'E_TIMEOUT');
    assert.match(result.error?.message ?? '', /sleep 8.*1500 ms/);
    const outputs = outputsOf(result);
    assert.equal(outputs.length, 2);
    assert.equal(outputs[0]?.output, 'first\n');
    assert.equal(outputs[1]?.output, 'started\n');
    assert.equal(outputs[1]?.timedOut, true);
  });

  it('reports partial outputs when the whole job deadline hits first', async () => {
    const result = await runValidJob(executor, job({ commands: ['echo one', 'echo two; sleep 8'], commandTimeoutMs: 60_000 }, 3000));
    assert.equal(result.status, 'timeout');
    const outputs = outputsOf(result);
    assert.equal(outputs[0]?.output, 'one\n');
    assert.equal(outputs[1]?.command, 'echo two; sleep 8');
    assert.equal(outputs[1]?.output, 'two\n');
  });

  it('caps output at maxOutputBytes and says truncated', async () => {
    const result = await runValidJob(executor, job({ commands: ['seq 1 100000', 'echo not-run'], maxOutputBytes: 1000 }));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(result.data?.truncated, true);
    const outputs = outputsOf(result);
    assert.equal(outputs.length, 1);
    assert.equal(outputs[0]?.truncated, true);
    assert.equal(Buffer.byteLength(outputs[0]!.output), 1000);
    assert.ok(outputs[0]!.output.startsWith('1\n2\n3\n'));
  });

  it('accepts a matching host key pin and refuses a different one with E_HOSTKEY', async () => {
    const pinned = await runValidJob(executor, job({ commands: ['true'], hostKeySha256: sshd.hostKeyFingerprint }));
    assert.equal(pinned.status, 'ok', JSON.stringify(pinned.error));
    const wrongPin = `SHA256:${Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '')}`;
    const mismatch = await runValidJob(executor, job({ commands: ['echo must-not-run'], hostKeySha256: wrongPin }));
    assert.equal(mismatch.status, 'error');
    assert.equal(mismatch.error?.code, 'E_HOSTKEY');
    assert.match(mismatch.error?.message ?? '', new RegExp(sshd.hostKeyFingerprint.replace(/[+/]/g, '\\$&')));
    assert.deepEqual(outputsOf(mismatch), []);
  });

  it('keeps the password and private key out of results and log records', async () => {
    const capture = createCapturingLogger();
    const ok = await runValidJob(executor, job({ privateKey: sshd.privateKey, commands: ['echo fine'] }), capture.log);
    const bad = await runValidJob(executor, job({ password: `${sshd.password}-nope`, commands: ['true'] }), capture.log);
    assert.equal(ok.status, 'ok');
    assert.equal(bad.error?.code, 'E_AUTH');
    assert.ok(capture.records().length > 0, 'the executor logged something');
    const keyBody = sshd.privateKey.split('\n')[1]!;
    for (const text of [JSON.stringify(ok), JSON.stringify(bad), capture.text()]) {
      assert.ok(!text.includes(sshd.password), 'password leaked');
      assert.ok(!text.includes(keyBody), 'private key leaked');
    }
  });
});

describe('ssh.exec keyboard-interactive', { timeout: 60_000 }, () => {
  let sshd: SshdHandle;
  before(async () => {
    sshd = await startSshd({ shell: 'bash', passwordAuthentication: false, keyboardInteractive: true });
  });
  after(async () => {
    await sshd?.stop();
  });

  it('answers the PAM password prompt when the server offers only keyboard-interactive', async () => {
    const result = await runValidJob(executor, {
      type: 'ssh.exec',
      target: { host: sshd.host, port: sshd.port },
      params: { username: sshd.username, password: sshd.password, commands: ['echo via-kbd'] },
    });
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(outputsOf(result)[0]?.output, 'via-kbd\n');
    assert.match(sshd.log(), new RegExp(`Accepted keyboard-interactive/pam for ${sshd.username}`));
  });

  it('reports a wrong keyboard-interactive password as E_AUTH', async () => {
    const result = await runValidJob(executor, {
      type: 'ssh.exec',
      target: { host: sshd.host, port: sshd.port },
      params: { username: sshd.username, password: 'wrong-wrong', commands: ['true'] },
    });
    assert.equal(result.error?.code, 'E_AUTH');
  });
});

describe('ssh.exec params', () => {
  const target = { host: '127.0.0.1', port: 22 };
  const problemsOf = async (params: Record<string, unknown>) => {
    const run = await runCliJob(executor, { type: 'ssh.exec', target, params });
    assert.ok(run.invalid, 'expected an invalid job');
    return run.invalid;
  };

  it('names the field of each problem', async () => {
    assert.deepEqual(await problemsOf({ username: 'u', password: 'p', commands: [] }), ['params.commands: Too small: expected array to have >=1 items']);
    const problems = await problemsOf({ username: 'u', password: 'p', commands: ['a\nb'], mode: 'telnet', algorithms: { kex: ['diffie-hellman-group0-md5'] }, prompt: '([' });
    assert.ok(problems.some((line) => line.startsWith('params.commands.0: ')), problems.join('\n'));
    assert.ok(problems.some((line) => line.startsWith('params.mode: ')), problems.join('\n'));
    assert.ok(problems.some((line) => line.startsWith('params.algorithms.kex.0: ')), problems.join('\n'));
    assert.ok(problems.some((line) => line.startsWith('params.prompt: must be a valid regular expression')), problems.join('\n'));
    assert.deepEqual(await problemsOf({ username: 'u', commands: ['x'] }), ['params.password: required (or params.privateKey)']);
    assert.deepEqual(await problemsOf({ username: 'u', password: 'p', commands: ['x'], hostKeySha256: 'md5:aa' }), [
      'params.hostKeySha256: must be a SHA256 fingerprint like "SHA256:<43 base64 chars>"',
    ]);
    const [badKey] = await problemsOf({ username: 'u', privateKey: 'not a key', commands: ['x'] });
    assert.match(badKey ?? '', /^params\.privateKey: cannot be used/);
    assert.deepEqual(await problemsOf({ username: 'u', password: 'p', commands: ['x'], bogus: 1 }), ['params: unknown key(s) "bogus"']);
  });
});

describe('ssh.exec against scripted TCP peers', { timeout: 30_000 }, () => {
  const withPeer = async (onConnection: (socket: Socket) => void, run: (port: number) => Promise<void>) => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      onConnection(socket);
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', () => ready()));
    const address = server.address();
    try {
      await run(typeof address === 'object' && address ? address.port : 0);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    }
  };
  const job = (port: number) => ({
    type: 'ssh.exec',
    target: { host: '127.0.0.1', port },
    params: { username: 'admin', password: 'secret-pw', commands: ['show ver'], connectTimeoutMs: 600 },
  });

  it('reports a server that accepts TCP but never sends a banner as E_TIMEOUT', async () => {
    await withPeer(() => {}, async (port) => {
      const result = await runValidJob(executor, job(port));
      assert.equal(result.status, 'timeout');
      assert.equal(result.error?.code, 'E_TIMEOUT');
      assert.match(result.error?.message ?? '', /no SSH handshake/);
    });
  });

  it('survives a peer that answers with garbage instead of an SSH banner', async () => {
    await withPeer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n\x00\xff\xfe garbage\r\n'), async (port) => {
      const result = await runValidJob(executor, job(port));
      assert.equal(result.status, 'error');
      assert.ok(['E_SSH', 'E_CLOSED'].includes(result.error?.code ?? ''), JSON.stringify(result.error));
    });
  });
});

describe('connect error classification', () => {
  it('maps socket errors to protocol codes', () => {
    const classify = (code: string) => classifyConnectError(Object.assign(new Error(code), { code }), 'olt-7.example', 23).code;
    assert.equal(classify('ECONNREFUSED'), 'E_REFUSED');
    assert.equal(classify('ENOTFOUND'), 'E_UNREACHABLE');
    assert.equal(classify('EAI_AGAIN'), 'E_UNREACHABLE');
    assert.equal(classify('EHOSTUNREACH'), 'E_UNREACHABLE');
    assert.equal(classify('ENETUNREACH'), 'E_UNREACHABLE');
    assert.equal(classify('ECONNRESET'), 'E_UNREACHABLE');
  });
});
