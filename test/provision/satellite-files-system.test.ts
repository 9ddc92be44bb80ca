/**
 * The systemd unit and the nftables ruleset checked by the real tools: systemd-analyze
 * (verify, security --offline) and nft inside a network namespace made for the test.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { renderSystemdUnit, POLLER_UNIT_NAME, type SystemdUnitInput } from '../../provision/lib/satellite-files/systemd-unit.js';
import { renderFirewall, FIREWALL_TABLE } from '../../provision/lib/satellite-files/firewall.js';
import { isUsmError } from '../../common/usm-error.js';
import { goldenChecker } from '../support/golden.js';

const MAX_EXPOSURE = 2.0;
let dir: string;

const expectGolden = goldenChecker('provision/satellite-files');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'usm-unit-test-'));
  await writeFile(join(dir, 'bin.js'), 'console.log("poller");\n');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const WIREGUARD_UNIT: SystemdUnitInput = { scriptPath: '/opt/usm-appliance/dist/poller/bin.js', transport: 'wireguard', firewallFile: '/etc/usm-appliance/firewall.nft' };
const AMQPS_UNIT: SystemdUnitInput = {
  scriptPath: '/opt/usm-appliance/dist/poller/bin.js',
  transport: 'amqps',
  jitless: true,
  tlsFiles: { caFile: '/etc/usm-poller/tls/ca.pem', certFile: '/etc/usm-poller/tls/client.pem', keyFile: '/etc/usm-poller/tls/client.key' },
};

/** Writes the unit with ExecStart pointing at real files (verify checks them) and runs both analyses. */
async function analyse(input: SystemdUnitInput): Promise<{ verify: string; exposure: number }> {
  const unitDir = await mkdtemp(join(dir, 'unit-'));
  const path = join(unitDir, POLLER_UNIT_NAME);
  await writeFile(path, renderSystemdUnit({ ...input, scriptPath: join(dir, 'bin.js'), nodePath: '/usr/bin/node' }));
  const verify = await execa('systemd-analyze', ['verify', path], { reject: false, timeout: 30_000, all: true });
  assert.equal(verify.exitCode, 0, String(verify.all));
  const security = await execa('systemd-analyze', ['security', '--offline=yes', '--no-pager', path], { reject: false, timeout: 30_000, all: true });
  const line = /Overall exposure level for \S+: (\d+(?:\.\d+)?)/.exec(String(security.all));
  assert.ok(line?.[1], `no exposure line in:\n${String(security.all)}`);
  return { verify: String(verify.all), exposure: Number(line[1]) };
}

describe('usm-poller.service', () => {
  test('wireguard transport (golden): bound to the tunnel, verify clean, exposure <= 2.0', async () => {
    const text = renderSystemdUnit(WIREGUARD_UNIT);
    await expectGolden('usm-poller-wireguard.service', text);
    assert.match(text, /^BindsTo=wg-quick@usm0\.service$/m);
    assert.match(text, /^After=network-online\.target wg-quick@usm0\.service$/m);
    assert.match(text, /^ExecStart=\/usr\/bin\/node \/opt\/usm-appliance\/dist\/poller\/bin\.js$/m);
    assert.match(text, /^CapabilityBoundingSet=CAP_NET_RAW$/m);
    assert.doesNotMatch(text, /^MemoryDenyWriteExecute=/m);
    const { verify, exposure } = await analyse(WIREGUARD_UNIT);
    assert.equal(verify.trim(), '');
    assert.ok(exposure <= MAX_EXPOSURE, `exposure ${exposure}`);
  });

  test('amqps transport, jitless (golden): credentials for the TLS files, MemoryDenyWriteExecute, exposure <= 2.0', async () => {
    const text = renderSystemdUnit(AMQPS_UNIT);
    await expectGolden('usm-poller-amqps.service', text);
    assert.doesNotMatch(text, /BindsTo=/);
    assert.match(text, /^LoadCredential=client\.key:\/etc\/usm-poller\/tls\/client\.key$/m);
    assert.match(text, /^Environment=USM_POLLER_TLS_KEY_FILE=%d\/client\.key$/m);
    assert.match(text, /^ExecStart=\/usr\/bin\/node --jitless /m);
    assert.match(text, /^MemoryDenyWriteExecute=yes$/m);
    const { exposure } = await analyse(AMQPS_UNIT);
    assert.ok(exposure <= MAX_EXPOSURE, `exposure ${exposure}`);
  });

  test('why MemoryDenyWriteExecute needs --jitless: under the kernel\'s MDWE node aborts, with --jitless it runs', async () => {
    // PR_SET_MDWE (65) with PR_MDWE_REFUSE_EXEC_GAIN is what systemd uses for MemoryDenyWriteExecute on new kernels.
    const underMdwe = (nodeArgs: string[]) =>
      execa(
        'python3',
        ['-c', 'import ctypes,os,sys; libc=ctypes.CDLL(None,use_errno=True); r=libc.prctl(65,1,0,0,0); sys.exit(99) if r!=0 else os.execv("/usr/bin/node", ["node"]+sys.argv[1:])', ...nodeArgs],
        { reject: false, timeout: 30_000, all: true },
      );
    const script = 'let s=0; for (let i=0;i<2e6;i++) s+=i; require("node:crypto").randomBytes(4); console.log("ran", s)';
    const jit = await underMdwe(['-e', script]);
    assert.notEqual(jit.exitCode, 99, 'kernel without PR_SET_MDWE: cannot show it here');
    assert.notEqual(jit.exitCode, 0, 'node with its JIT should not survive MDWE');
    const jitless = await underMdwe(['--jitless', '-e', script]);
    assert.equal(jitless.exitCode, 0, String(jitless.all));
    assert.match(String(jitless.stdout), /^ran 1999999000000$/m);
  });

  test('the unit\'s privileges (non-root, NoNewPrivileges, CAP_NET_RAW ambient + bounding) are enough for fping and ping', async () => {
    const text = renderSystemdUnit(WIREGUARD_UNIT);
    const cap = /^AmbientCapabilities=CAP_(\w+)$/m.exec(text)?.[1]?.toLowerCase();
    assert.equal(/^CapabilityBoundingSet=CAP_(\w+)$/m.exec(text)?.[1]?.toLowerCase(), cap);
    assert.match(text, /^NoNewPrivileges=yes$/m);
    const asService = (caps: string, command: string[]) =>
      execa(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', '--no-new-privs', `--inh-caps=-all${caps}`, `--ambient-caps=-all${caps}`, `--bounding-set=-all${caps}`, ...command],
        { reject: false, timeout: 20_000, all: true },
      );
    const fping = await asService(`,+${cap}`, ['fping', '-c', '1', '127.0.0.1']);
    assert.equal(fping.exitCode, 0, String(fping.all));
    const ping = await asService(`,+${cap}`, ['ping', '-c', '1', '-W', '5', '127.0.0.1']);
    assert.equal(ping.exitCode, 0, String(ping.all));
    // And without it the file capability of fping is refused: the grant is needed.
    const bare = await asService('', ['fping', '-c', '1', '127.0.0.1']);
    assert.notEqual(bare.exitCode, 0);
  });

  test('bad unit input names the field', () => {
    assert.throws(
      () => renderSystemdUnit({ scriptPath: 'relative/bin.js', transport: 'wireguard', nodePath: '/usr/bin/node; rm -rf /' }),
      (error: unknown) => isUsmError(error) && /^scriptPath: /m.test(error.problems.join('\n')) && /^nodePath: /m.test(error.problems.join('\n')),
    );
    assert.throws(() => renderSystemdUnit({ ...AMQPS_UNIT, transport: 'wireguard' }), /invalid systemd unit/);
  });
});

describe('nftables ruleset', () => {
  const namespace = `usmfw${randomBytes(4).toString('hex')}`;
  const inNamespace = (args: string[], input?: string) =>
    execa('ip', ['netns', 'exec', namespace, 'nft', ...args], { reject: false, timeout: 20_000, all: true, ...(input === undefined ? {} : { input }) });

  before(async () => {
    await execa('ip', ['netns', 'add', namespace], { timeout: 10_000 });
  });
  after(async () => {
    await execa('ip', ['netns', 'del', namespace], { reject: false, timeout: 10_000 });
  });

  const wireguard = renderFirewall({
    transport: 'wireguard',
    wireguard: { coreEndpointAddress: '203.0.113.10', listenPort: 51820 },
    allowInbound: [{ protocol: 'tcp', port: 22, from: ['192.0.2.0/24', '198.51.100.7'], comment: 'SSH from the admin network' }],
  });
  const amqps = renderFirewall({ transport: 'amqps' });
  const ipv6 = renderFirewall({ transport: 'wireguard', wireguard: { coreEndpointAddress: '2001:db8::1', listenPort: 51821 }, allowInbound: [{ protocol: 'tcp', port: 9464, iif: 'usm0' }] });

  test('goldens', async () => {
    await expectGolden('firewall-wireguard.nft', wireguard);
    await expectGolden('firewall-amqps.nft', amqps);
    await expectGolden('firewall-wireguard-ipv6.nft', ipv6);
    assert.doesNotMatch(amqps, /udp dport/);
  });

  test('nft -c accepts every ruleset (in a namespace of its own)', async () => {
    for (const [name, text] of Object.entries({ wireguard, amqps, ipv6 })) {
      const file = join(dir, `${name}.nft`);
      await writeFile(file, text);
      const check = await inNamespace(['-c', '-f', file]);
      assert.equal(check.exitCode, 0, `${name}: ${String(check.all)}`);
    }
  });

  test('loading twice replaces only our table: idempotent, other tables untouched', async () => {
    const other = await inNamespace(['-f', '-'], 'table inet someone_else {\n\tchain input {\n\t\ttype filter hook input priority 10; policy accept;\n\t}\n}\n');
    assert.equal(other.exitCode, 0, String(other.all));
    const file = join(dir, 'load.nft');
    await writeFile(file, wireguard);
    for (let round = 0; round < 2; round += 1) {
      const load = await inNamespace(['-f', file]);
      assert.equal(load.exitCode, 0, String(load.all));
    }
    const tables = await inNamespace(['list', 'tables']);
    assert.deepEqual(String(tables.stdout).trim().split('\n').sort(), ['table inet someone_else', `table inet ${FIREWALL_TABLE}`]);
    const ours = String((await inNamespace(['list', 'table', 'inet', FIREWALL_TABLE])).stdout);
    assert.equal(ours.match(/udp dport 51820 accept/g)?.length, 1);
    assert.match(ours, /policy drop;/);
    // Switching transport replaces the rules in place.
    await writeFile(file, amqps);
    assert.equal((await inNamespace(['-f', file])).exitCode, 0);
    assert.doesNotMatch(String((await inNamespace(['list', 'table', 'inet', FIREWALL_TABLE])).stdout), /51820/);
  });

  test('bad firewall input names the field', () => {
    assert.throws(
      () => renderFirewall({ transport: 'wireguard', allowInbound: [{ protocol: 'tcp', port: 70000, from: ['10.0.0.0/33'] }] }),
      (error: unknown) => {
        assert.ok(isUsmError(error));
        const problems = error.problems.join('\n');
        assert.match(problems, /^allowInbound\.0\.port: /m);
        assert.match(problems, /^allowInbound\.0\.from\.0: must be an address or ADDRESS\/PREFIX/m);
        return true;
      },
    );
    assert.throws(() => renderFirewall({ transport: 'wireguard' }), (error: unknown) => isUsmError(error) && /^wireguard: required/m.test(error.problems.join('\n')));
    assert.throws(
      () => renderFirewall({ transport: 'amqps', allowInbound: [{ protocol: 'tcp', port: 22, from: ['10.0.0.0/8', '2001:db8::/32'] }] }),
      /invalid firewall/,
    );
  });
});
