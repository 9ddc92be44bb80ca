import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { pickFreeUdpPort, renderSnmpdConfig, SNMPD_PATH } from '../../test/support/snmpd.js';

/** NET-SNMP-EXTEND-MIB::nsExtendOutLine."rows": one row per line the extend command prints. */
export const EXTEND_TABLE_OID = '1.3.6.1.4.1.8072.1.3.2.4.1.2.4.114.111.119.115';

export interface BenchSnmpd {
  host: string;
  port: number;
  community: string;
  /** Rows under EXTEND_TABLE_OID. */
  rows: number;
  stop(): Promise<void>;
}

/**
 * net-snmp's snmpd (C, fast enough never to be what a benchmark measures)
 * with the test config (test/support/snmpd.ts) plus a table of `rows` rows:
 * `extend rows seq 1 N` serves each output line as a row, which makes a big
 * walkable table without a MIB module. Optionally inside a namespace.
 */
export async function startBenchSnmpd(options: { rows?: number; netns?: string; port?: number } = {}): Promise<BenchSnmpd> {
  const rows = options.rows ?? 10;
  const dir = await mkdtemp(join(tmpdir(), 'usm-bench-snmpd-'));
  const community = `bench-${randomBytes(6).toString('hex')}`;
  const conf = join(dir, 'snmpd.conf');
  await writeFile(conf, `${renderSnmpdConfig({ ro: community, rw: `rw-${randomBytes(6).toString('hex')}` }, [])}extend rows /usr/bin/seq 1 ${rows}\n`, { mode: 0o600 });
  const port = options.port ?? (await pickFreeUdpPort());
  const snmpdArgv = [SNMPD_PATH, '-f', '-Lo', '-C', '-c', conf, '-I', '-smux', '-p', join(dir, 'snmpd.pid'), `udp:127.0.0.1:${port}`];
  const wrap = (argv: string[]) => (options.netns ? ['ip', 'netns', 'exec', options.netns, ...argv] : argv);
  const [file, ...args] = wrap(snmpdArgv);
  const env = { SNMP_PERSISTENT_DIR: join(dir, 'persist'), MIBS: '', MIBDIRS: dir, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
  const child: ResultPromise = execa(file!, args, { env, extendEnv: false, stdin: 'ignore', reject: false, buffer: false, forceKillAfterDelay: 2_000 });
  let exited = false;
  void child.then(() => { exited = true; });
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    await child;
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [probe, ...probeArgs] = wrap(['snmpget', '-v2c', '-c', community, '-r0', '-t0.3', `udp:127.0.0.1:${port}`, '1.3.6.1.2.1.1.3.0']);
    const answer = await execa(probe!, probeArgs, { reject: false, timeout: 5_000, env: { MIBS: '', PATH: env.PATH }, extendEnv: false });
    if (answer.exitCode === 0) break;
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`snmpd did not answer on udp:127.0.0.1:${port}${options.netns ? ` in ${options.netns}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { host: '127.0.0.1', port, community, rows, stop };
}
