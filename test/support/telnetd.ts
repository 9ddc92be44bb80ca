import { createServer, type Server, type Socket } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const FAKE_CLI = resolve(import.meta.dirname, '../fixtures/fake-device/fake-cli.sh');
const TELNETD = '/usr/sbin/telnetd';

export interface TelnetdHandle {
  host: '127.0.0.1';
  port: number;
  /** How many connections the accept loop handed to telnetd. */
  readonly connections: number;
  stop(): Promise<void>;
}

/**
 * A real telnet server on loopback: GNU inetutils telnetd, started inetd
 * style (one telnetd per connection, the accepted socket as its stdin and
 * stdout) by a small accept loop, because telnetd has no listening mode of
 * its own and this busybox has no telnetd applet. `-E` makes telnetd run the
 * fake device CLI in login mode, which checks the username and password
 * against a 0600 file in a temp dir.
 */
export async function startTelnetd(credentials: { username: string; password: string }): Promise<TelnetdHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'usm-telnetd-'));
  const credentialsFile = join(dir, 'credentials');
  await writeFile(credentialsFile, `${credentials.username}\n${credentials.password}\n`, { mode: 0o600 });
  const children = new Set<ChildProcess>();
  let connections = 0;

  const server: Server = createServer({ pauseOnConnect: true }, (socket: Socket) => {
    connections += 1;
    socket.on('error', () => {});
    const child = spawn(TELNETD, ['-h', '-E', `${FAKE_CLI} --login ${credentialsFile}`], { stdio: [socket, socket, 'ignore'] });
    children.add(child);
    child.on('error', () => {});
    child.on('exit', () => children.delete(child));
    // The child owns a duplicate of the descriptor; ours is no longer needed.
    socket.destroy();
  });
  server.on('error', () => {});
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ready());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('telnetd accept loop has no port');

  return {
    host: '127.0.0.1',
    port: address.port,
    get connections() {
      return connections;
    },
    async stop() {
      await new Promise<void>((done) => server.close(() => done()));
      await Promise.all([...children].map((child) => stopChild(child)));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}
