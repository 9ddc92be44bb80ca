import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSshExecutors } from '../../poller/lib/executors/ssh/ssh-executors.js';
import { createSilentLogger } from '../../common/logger.js';
import { startSshd, type SshdHandle } from '../support/sshd.js';
import { outputsOf, runValidJob } from './run-cli-job.js';

const executor = createSshExecutors({ log: createSilentLogger() }).executors[0]!;

// OpenSSH 9.2 still compiles in diffie-hellman-group1-sha1, 3des/aes-cbc and ssh-rsa; this sshd offers nothing newer.
describe('ssh.exec against a server that speaks only legacy algorithms', { timeout: 120_000 }, () => {
  let sshd: SshdHandle;
  before(async () => {
    sshd = await startSshd({ shell: 'bash', legacyOnly: true });
  });
  after(async () => {
    await sshd?.stop();
  });
  const job = (params: Record<string, unknown>) => ({
    type: 'ssh.exec',
    target: { host: sshd.host, port: sshd.port },
    timeoutMs: 30_000,
    params: { username: sshd.username, password: sshd.password, commands: ['echo legacy-ok'], ...params },
  });

  it('fails the handshake with E_HANDSHAKE when the job allows only modern algorithms', async () => {
    const result = await runValidJob(executor, job({}));
    assert.equal(result.status, 'error');
    assert.equal(result.error?.code, 'E_HANDSHAKE');
    assert.match(result.error?.message ?? '', /no matching key exchange algorithm.*params\.algorithms/);
  });

  it('still fails when only the key exchange is allowed but the ciphers are not', async () => {
    const result = await runValidJob(executor, job({ algorithms: { kex: ['diffie-hellman-group14-sha1'] } }));
    assert.equal(result.error?.code, 'E_HANDSHAKE');
    assert.match(result.error?.message ?? '', /cipher/);
  });

  it('works with diffie-hellman-group1-sha1 + 3des-cbc + ssh-rsa allowed per job', async () => {
    const result = await runValidJob(executor, job({
      algorithms: { kex: ['diffie-hellman-group1-sha1'], cipher: ['3des-cbc'], serverHostKey: ['ssh-rsa'], hmac: ['hmac-sha1'] },
    }));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(outputsOf(result)[0]?.output, 'legacy-ok\n');
    assert.equal(result.data?.hostKey, sshd.hostKeyFingerprint);
    assert.match(sshd.log(), /kex: client->server cipher: 3des-cbc|Accepted password/);
  });

  it('works with diffie-hellman-group14-sha1 + aes128-cbc', async () => {
    const result = await runValidJob(executor, job({ algorithms: { kex: ['diffie-hellman-group14-sha1'], cipher: ['aes128-cbc'] } }));
    assert.equal(result.status, 'ok', JSON.stringify(result.error));
    assert.equal(outputsOf(result)[0]?.output, 'legacy-ok\n');
  });
});
