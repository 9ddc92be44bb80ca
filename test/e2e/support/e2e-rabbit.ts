/**
 * A second, throw-away RabbitMQ node for the end-to-end tests, listening where
 * a core's broker would: plain AMQP on the core's tunnel address (so only
 * traffic through the WireGuard tunnel reaches it, and `peer_host` shows the
 * satellite's tunnel address), AMQPS on a veth address, and plain AMQP on
 * 127.0.0.1 for the test's own publisher (guest, loopback only). The main
 * node at 127.0.0.1:5672 is not touched. Same approach as test/support/tls-rabbit.ts.
 */
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { renderRabbitmqTlsConfig } from '../../../provision/lib/amqps/rabbitmq-tls-config.js';
import { freeTcpPorts } from '../../support/free-ports.js';

export interface E2eRabbitOptions {
  tunnelListen?: string;
  tls?: { listen: string; caPem: string; certPem: string; keyPem: string };
}

export interface E2eRabbit {
  nodeName: string;
  loopbackPort: number;
  ctl(args: string[], stdin?: string): Promise<string>;
  stop(): Promise<void>;
}

const RABBIT_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';

export async function startE2eRabbit(options: E2eRabbitOptions): Promise<E2eRabbit> {
  const uid = Number((await execa('id', ['-u', 'rabbitmq'], { timeout: 5000 })).stdout);
  const gid = Number((await execa('id', ['-g', 'rabbitmq'], { timeout: 5000 })).stdout);
  const dir = await mkdtemp(join(tmpdir(), 'usme2e-rabbit-'));
  const nodeName = `usme2e${randomBytes(4).toString('hex')}@localhost`;
  const [loopbackPort = 0, distPort = 0] = await freeTcpPorts(2);
  let server: ResultPromise | undefined;
  let stopped = false;
  const ctl = async (args: string[], stdin?: string) =>
    String((await execa('rabbitmqctl', ['-n', nodeName, ...args], { timeout: 60_000, ...(stdin === undefined ? { stdin: 'ignore' as const } : { input: stdin }) })).stdout);
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (server && server.exitCode === null) {
      await execa('rabbitmqctl', ['-n', nodeName, 'stop'], { timeout: 60_000, reject: false, stdin: 'ignore' });
      if (server.exitCode === null) server.kill('SIGTERM');
      const exited = await Promise.race([server.then(() => true, () => true), new Promise((r) => setTimeout(() => r(false), 20_000).unref())]);
      if (!exited) server.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await chown(dir, uid, gid);
    await chmod(dir, 0o700);
    const put = async (name: string, data: string) => {
      const path = join(dir, name);
      await writeFile(path, data, { mode: 0o600 });
      await chown(path, uid, gid);
      return path;
    };
    const lines = [...(options.tunnelListen ? [`listeners.tcp.1 = ${options.tunnelListen}`] : []), `listeners.tcp.2 = 127.0.0.1:${loopbackPort}`, 'loopback_users.guest = true', 'log.console = false'];
    if (options.tls) {
      lines.push(renderRabbitmqTlsConfig({
        listen: options.tls.listen,
        caFile: await put('ca.pem', options.tls.caPem),
        certFile: await put('server.pem', options.tls.certPem),
        keyFile: await put('server.key', options.tls.keyPem),
      }));
    }
    const configFile = await put('rabbitmq.conf', `${lines.join('\n')}\n`);
    const pluginsFile = await put('enabled_plugins', '[].\n');
    const envFile = await put('rabbitmq-env.conf', 'ERL_EPMD_ADDRESS=127.0.0.1\n');
    server = execa(RABBIT_SERVER, [], {
      uid, gid, cwd: dir, extendEnv: false,
      env: {
        PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', HOME: '/var/lib/rabbitmq', LANG: 'C.UTF-8',
        RABBITMQ_NODENAME: nodeName, RABBITMQ_DIST_PORT: String(distPort), RABBITMQ_CONFIG_FILE: configFile,
        RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'), RABBITMQ_CONF_ENV_FILE: envFile,
        RABBITMQ_ENABLED_PLUGINS_FILE: pluginsFile, RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'), RABBITMQ_LOG_BASE: join(dir, 'log'),
        RABBITMQ_PID_FILE: join(dir, 'rabbit.pid'), ERL_EPMD_ADDRESS: '127.0.0.1', ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
      },
      stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', reject: false, timeout: 30 * 60_000,
    });
    server.catch(() => undefined);
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`rabbitmq-server exited with code ${String(server.exitCode)}`);
      try {
        await ctl(['await_startup', '--timeout', '30']);
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    return { nodeName, loopbackPort, ctl, stop };
  } catch (error) {
    await stop();
    throw new Error(`e2e RabbitMQ node did not start: ${(error as Error).message}`);
  }
}

