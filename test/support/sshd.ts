import { copyFile, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { FAKE_CLI } from './telnetd.js';

const SSHD = '/usr/sbin/sshd';

export interface SshdOptions {
  /** Login shell of the throwaway user: bash (exec-mode tests) or the fake device CLI. */
  shell?: 'bash' | 'fake-cli';
  /** Offer only what old gear speaks: group1/group14-sha1 key exchange, CBC ciphers, ssh-rsa host key, hmac-sha1. */
  legacyOnly?: boolean;
  passwordAuthentication?: boolean;
  keyboardInteractive?: boolean;
}

export interface SshdHandle {
  host: '127.0.0.1';
  port: number;
  username: string;
  password: string;
  /** OpenSSH private key (no passphrase) whose public half is authorized. */
  privateKey: string;
  /** Another authorized key, encrypted with `passphrase`. */
  encryptedPrivateKey: string;
  passphrase: string;
  /** The host key fingerprint as `ssh-keygen -l -E sha256` prints it. */
  hostKeyFingerprint: string;
  /** sshd's own log (-e), e.g. "Accepted keyboard-interactive/pam for ...". */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Debian's OpenSSH server in the foreground on a free loopback port, with
 * throwaway host keys and a throwaway system user (random name, random
 * password set through chpasswd's stdin) that is deleted again on stop.
 */
export async function startSshd(options: SshdOptions = {}): Promise<SshdHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'usm-sshd-'));
  // The user's shell and authorized_keys live here and sshd reads them as that user.
  await chmod(dir, 0o755);
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const username = `usmt${randomBytes(5).toString('hex')}`;
  const password = `pw-${randomBytes(12).toString('base64url')}`;
  const passphrase = `pp-${randomBytes(9).toString('base64url')}`;
  let userCreated = false;
  let server: ResultPromise | undefined;
  let log = '';

  const cleanup = async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      const timer = setTimeout(() => server?.kill('SIGKILL'), 3000);
      await server.catch(() => {});
      clearTimeout(timer);
    }
    // -f: a session child may still be running as the user for a moment after its connection closed.
    if (userCreated) await execa('userdel', ['-f', username], { reject: false, timeout: 10_000 });
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const hostKeyType = options.legacyOnly ? ['-t', 'rsa', '-b', '2048'] : ['-t', 'ed25519'];
    const hostKey = join(dir, 'host_key');
    await execa('ssh-keygen', ['-q', ...hostKeyType, '-N', '', '-f', hostKey], { timeout: 30_000 });
    const fingerprint = await execa('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`], { timeout: 10_000 });
    const hostKeyFingerprint = fingerprint.stdout.split(' ')[1] ?? '';
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'usm-test', '-f', join(dir, 'user_key')], { timeout: 10_000 });
    // The passphrase goes in argv of ssh-keygen only because it is a throwaway test value.
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'usm-test-enc', '-f', join(dir, 'user_key_enc')], { timeout: 10_000 });
    const authorized = (await readFile(join(dir, 'user_key.pub'), 'utf8')) + (await readFile(join(dir, 'user_key_enc.pub'), 'utf8'));
    await writeFile(join(dir, 'authorized_keys'), authorized, { mode: 0o644 });

    let shell = '/bin/bash';
    if (options.shell === 'fake-cli') {
      shell = join(dir, 'fake-cli.sh');
      await copyFile(FAKE_CLI, shell);
      await chmod(shell, 0o755);
    }
    await execa('useradd', ['-M', '-d', dir, '-s', shell, username], { timeout: 10_000 });
    userCreated = true;
    await execa('chpasswd', [], { input: `${username}:${password}\n`, timeout: 10_000 });

    const port = await findFreePort();
    const config = join(dir, 'sshd_config');
    await writeFile(config, renderConfig({ port, hostKey, dir, username, options }), { mode: 0o600 });
    server = execa(SSHD, ['-D', '-e', '-f', config], { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', buffer: false });
    server.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString('utf8');
    });
    await waitForListening(() => log, server, 10_000);

    return {
      host: '127.0.0.1',
      port,
      username,
      password,
      privateKey: await readFile(join(dir, 'user_key'), 'utf8'),
      encryptedPrivateKey: await readFile(join(dir, 'user_key_enc'), 'utf8'),
      passphrase,
      hostKeyFingerprint,
      log: () => log,
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

function renderConfig(input: { port: number; hostKey: string; dir: string; username: string; options: SshdOptions }): string {
  const { options } = input;
  const lines = [
    `ListenAddress 127.0.0.1:${input.port}`,
    `HostKey ${input.hostKey}`,
    'PidFile none',
    'UsePAM yes',
    `PasswordAuthentication ${options.passwordAuthentication === false ? 'no' : 'yes'}`,
    `KbdInteractiveAuthentication ${options.keyboardInteractive === false ? 'no' : 'yes'}`,
    'PubkeyAuthentication yes',
    `AuthorizedKeysFile ${join(input.dir, 'authorized_keys')}`,
    // The temp dir sits under world-writable /tmp, which StrictModes would refuse.
    'StrictModes no',
    `AllowUsers ${input.username}`,
    'PermitRootLogin no',
    'PrintMotd no',
    'PrintLastLog no',
    'MaxAuthTries 6',
    'LogLevel VERBOSE',
  ];
  if (options.legacyOnly) {
    lines.push(
      'KexAlgorithms diffie-hellman-group14-sha1,diffie-hellman-group1-sha1',
      'Ciphers aes128-cbc,3des-cbc',
      'HostKeyAlgorithms ssh-rsa',
      'MACs hmac-sha1',
    );
  }
  return `${lines.join('\n')}\n`;
}

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function waitForListening(log: () => string, server: ResultPromise, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (log().includes('Server listening on')) return;
    if (server.exitCode !== null) throw new Error(`sshd exited: ${log()}`);
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error(`sshd did not start within ${timeoutMs} ms: ${log()}`);
}
