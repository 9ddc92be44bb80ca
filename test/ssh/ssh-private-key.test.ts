import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createSshExecutors } from '../../poller/lib/executors/ssh/ssh-executors.js';
import { MAX_KDF_ROUNDS, readOpenSshKeyHeader } from '../../poller/lib/executors/ssh/private-key.js';
import { createSilentLogger } from '../../common/logger.js';
import { findFreePort } from '../support/sshd.js';
import { runCliJob, runValidJob } from './run-cli-job.js';

const executor = createSshExecutors({ log: createSilentLogger() }).executors[0]!;
const PASSPHRASE = 'test-passphrase-1';

/** Rewrites the bcrypt round count in an openssh-key-v1 header (what a hostile job sender could do). */
function withRounds(key: string, rounds: number): string {
  const body = key.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const data = Buffer.from(body, 'base64');
  let offset = 'openssh-key-v1\0'.length;
  for (let field = 0; field < 2; field += 1) offset += 4 + data.readUInt32BE(offset); // cipher name, kdf name
  const saltLength = data.readUInt32BE(offset + 4);
  data.writeUInt32BE(rounds, offset + 8 + saltLength);
  const lines = data.toString('base64').match(/.{1,70}/g)!;
  return ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----', ''].join('\n');
}

describe('ssh.exec private keys: bcrypt rounds capped, decrypted in run only', { timeout: 60_000 }, () => {
  let dir: string;
  const keys: Record<'rounds16' | 'rounds65' | 'plain', string> = { rounds16: '', rounds65: '', plain: '' };
  let refusedPort: number;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'usm-sshkey-'));
    // Throwaway keys; the passphrase is a test value, so argv is fine here.
    const generate = async (name: keyof typeof keys, args: string[]) => {
      await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-C', name, '-f', join(dir, name), ...args], { timeout: 30_000 });
      keys[name] = await readFile(join(dir, name), 'utf8');
    };
    await generate('rounds16', ['-N', PASSPHRASE, '-a', '16']);
    await generate('rounds65', ['-N', PASSPHRASE, '-a', String(MAX_KDF_ROUNDS + 1)]);
    await generate('plain', ['-N', '']);
    refusedPort = await findFreePort();
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const job = (params: Record<string, unknown>) => ({
    type: 'ssh.exec',
    target: { host: '127.0.0.1', port: refusedPort },
    timeoutMs: 20_000,
    params: { username: 'admin', commands: ['true'], connectTimeoutMs: 1000, ...params },
  });

  it('reads the KDF header of openssh-key-v1 keys without decrypting them', () => {
    assert.deepEqual(readOpenSshKeyHeader(keys.rounds16), { cipher: 'aes256-ctr', kdf: 'bcrypt', rounds: 16 });
    assert.deepEqual(readOpenSshKeyHeader(keys.plain), { cipher: 'none', kdf: 'none', rounds: null });
    assert.equal(readOpenSshKeyHeader(withRounds(keys.rounds16, 0xffffffff))?.rounds, 0xffffffff);
    assert.equal(readOpenSshKeyHeader('-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----'), undefined);
  });

  it('refuses a key whose bcrypt rounds exceed the cap as an invalid job naming params.privateKey', async () => {
    for (const key of [keys.rounds65, withRounds(keys.rounds16, 0xffffffff)]) {
      const run = await runCliJob(executor, job({ privateKey: key, passphrase: PASSPHRASE }));
      assert.ok(run.invalid, 'expected an invalid job');
      assert.equal(run.invalid.length, 1);
      assert.match(run.invalid[0]!, /^params\.privateKey: bcrypt KDF rounds \d+ outside 1-64/);
    }
  });

  it('asks for params.passphrase when the key is encrypted', async () => {
    const run = await runCliJob(executor, job({ privateKey: keys.rounds16 }));
    assert.deepEqual(run.invalid, ['params.passphrase: required, params.privateKey is encrypted']);
  });

  it('does not decrypt in validation: a wrong passphrase is an E_AUTH result from run, before any connection', async () => {
    const result = await runValidJob(executor, job({ privateKey: keys.rounds16, passphrase: 'wrong-passphrase' }));
    assert.equal(result.status, 'error');
    assert.equal(result.error?.code, 'E_AUTH');
    assert.match(result.error?.message ?? '', /^params\.privateKey: cannot be decrypted/);
    assert.ok(!JSON.stringify(result).includes('wrong-passphrase'));
  });

  it('still validates unencrypted keys fully and goes on to connect with a good key', async () => {
    const broken = await runCliJob(executor, job({ privateKey: keys.plain.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA') }));
    assert.ok(broken.invalid && /^params\.privateKey: cannot be used/.test(broken.invalid[0] ?? ''), JSON.stringify(broken));
    // A decryptable key passes validation and decryption; the refused port then proves the job got as far as connecting.
    for (const params of [{ privateKey: keys.plain }, { privateKey: keys.rounds16, passphrase: PASSPHRASE }]) {
      const result = await runValidJob(executor, job(params));
      assert.equal(result.error?.code, 'E_REFUSED', JSON.stringify(result.error));
    }
  });
});
