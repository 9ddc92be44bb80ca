/**
 * A SECOND, throw-away RabbitMQ node with an AMQPS listener, for tests.
 *
 *   const rabbit = await startTlsRabbit({ ca, server });
 *   t.after(() => rabbit.stop());
 *   // amqps://guest:guest@127.0.0.1:${rabbit.amqpsPort}/ with the CA of `ca`, client cert required
 *
 * The node gets its own name (usmtls<random>@localhost), its own ports (plain AMQP, AMQPS and
 * Erlang distribution, all on 127.0.0.1), its own config, data and log directories in a temp dir
 * owned by the `rabbitmq` user, and no plugins unless asked. It shares epmd and the Erlang cookie
 * of the `rabbitmq` user with the main node (that is how `rabbitmqctl -n` reaches it) but nothing
 * else: the main node at 127.0.0.1:5672 is not touched. `stop()` stops the node and removes the
 * temp dir; it is safe to call twice. guest/guest may log in over loopback (plain or TLS).
 */
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa, type ResultPromise } from 'execa';
import { renderRabbitmqTlsConfig } from '../../provision/lib/amqps/rabbitmq-tls-config.js';
import { freeTcpPorts } from './free-ports.js';

export interface TlsRabbitOptions {
  ca: { certPem: string };
  server: { certPem: string; keyPem: string };
  /** Plugins to enable, e.g. ['rabbitmq_auth_mechanism_ssl'] (default none). */
  plugins?: string[];
  /** Log satellites in by certificate CN (needs the rabbitmq_auth_mechanism_ssl plugin). */
  certLogin?: boolean;
  /** How long to wait for the node to boot (default 120 s). */
  startTimeoutMs?: number;
}

export interface TlsRabbit {
  amqpsPort: number;
  amqpPort: number;
  nodeName: string;
  /** Runs `rabbitmqctl -n <node> <args>` (argv, stdin optional), with a timeout. */
  ctl(args: string[], stdin?: string): Promise<string>;
  stop(): Promise<void>;
}

const RABBIT_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const RABBIT_HOME = '/var/lib/rabbitmq';

export async function startTlsRabbit(options: TlsRabbitOptions): Promise<TlsRabbit> {
  const { uid, gid } = await rabbitmqIds();
  const dir = await mkdtemp(join(tmpdir(), 'usmtls-'));
  const nodeName = `usmtls${randomBytes(4).toString('hex')}@localhost`;
  let server: ResultPromise | undefined;
  let stopped = false;

  const ctl = async (args: string[], stdin?: string): Promise<string> => {
    const result = await execa('rabbitmqctl', ['-n', nodeName, ...args], {
      timeout: 60_000,
      ...(stdin === undefined ? { stdin: 'ignore' as const } : { input: stdin }),
    });
    return String(result.stdout);
  };

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (server && server.exitCode === null) {
      await execa('rabbitmqctl', ['-n', nodeName, 'stop'], { timeout: 60_000, reject: false, stdin: 'ignore' });
      // The script traps TERM and stops the VM; KILL only if that did not work either.
      if (server.exitCode === null) server.kill('SIGTERM');
      const exited = await Promise.race([server.then(() => true, () => true), delay(20_000).then(() => false)]);
      if (!exited) server.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const [amqpPort, amqpsPort, distPort] = await freePorts();
    await chown(dir, uid, gid);
    await chmod(dir, 0o700);
    const put = async (name: string, data: string, mode = 0o600): Promise<string> => {
      const path = join(dir, name);
      await writeFile(path, data, { mode });
      await chown(path, uid, gid);
      return path;
    };
    const caFile = await put('ca.pem', options.ca.certPem);
    const certFile = await put('server.pem', options.server.certPem);
    const keyFile = await put('server.key', options.server.keyPem);
    const config = [
      renderRabbitmqTlsConfig({
        listen: `127.0.0.1:${amqpsPort}`,
        tcpListener: `127.0.0.1:${amqpPort}`,
        caFile,
        certFile,
        keyFile,
        certLogin: options.certLogin ?? false,
      }),
      // guest may log in from loopback only (the default); said out loud for the reader.
      'loopback_users.guest = true',
      'log.console = false',
      'log.file.level = info',
    ].join('\n');
    const configFile = await put('rabbitmq.conf', `${config}\n`);
    const pluginsFile = await put('enabled_plugins', `[${(options.plugins ?? []).join(',')}].\n`);
    const envFile = await put('rabbitmq-env.conf', 'ERL_EPMD_ADDRESS=127.0.0.1\n');

    server = execa(RABBIT_SERVER, [], {
      uid,
      gid,
      cwd: dir,
      extendEnv: false,
      env: {
        PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
        HOME: RABBIT_HOME,
        LANG: 'C.UTF-8',
        RABBITMQ_NODENAME: nodeName,
        RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
        RABBITMQ_NODE_PORT: String(amqpPort),
        RABBITMQ_DIST_PORT: String(distPort),
        RABBITMQ_CONFIG_FILE: configFile,
        RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
        RABBITMQ_CONF_ENV_FILE: envFile,
        RABBITMQ_ENABLED_PLUGINS_FILE: pluginsFile,
        RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
        RABBITMQ_LOG_BASE: join(dir, 'log'),
        RABBITMQ_PID_FILE: join(dir, 'rabbit.pid'),
        ERL_EPMD_ADDRESS: '127.0.0.1',
        ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
      },
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
      reject: false,
      // Backstop so a stuck node never outlives the test run.
      timeout: 30 * 60_000,
    });
    server.catch(() => undefined);
    await awaitStartup(ctl, server, options.startTimeoutMs ?? 120_000);
    return { amqpsPort, amqpPort, nodeName, ctl, stop };
  } catch (error) {
    const stderr = server && server.exitCode !== null ? String((await server).stderr ?? '').slice(-2000) : '';
    await stop();
    throw new Error(`second RabbitMQ node did not start: ${error instanceof Error ? error.message : String(error)}${stderr ? `\n${stderr}` : ''}`);
  }
}

async function awaitStartup(ctl: TlsRabbit['ctl'], server: ResultPromise, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`rabbitmq-server exited with code ${String(server.exitCode)}`);
    try {
      await ctl(['await_startup', '--timeout', '30']);
      return;
    } catch (error) {
      last = error;
      await delay(1000);
    }
  }
  throw new Error(`timed out after ${timeoutMs} ms: ${last instanceof Error ? last.message.split('\n')[0] : String(last)}`);
}

async function rabbitmqIds(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([
    execa('id', ['-u', 'rabbitmq'], { timeout: 5000 }),
    execa('id', ['-g', 'rabbitmq'], { timeout: 5000 }),
  ]);
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

async function freePorts(): Promise<[number, number, number]> {
  const [a = 0, b = 0, c = 0] = await freeTcpPorts(3);
  return [a, b, c];
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
