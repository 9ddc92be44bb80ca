import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type ChannelModel } from 'amqplib';
import type { ResultPromise } from 'execa';
import { createNetLab, type NetLab, type SatelliteNamespace } from '../support/netns.js';
import { openCollector, type ResultCollector } from '../support/result-collector.js';
import { startE2eRabbit, type E2eRabbit } from './support/e2e-rabbit.js';
import { createCliCore, type CliCore, type Enrollment } from './support/e2e-core.js';

// The core is the host, set up with the real `usm-appliance core` commands: a WireGuard
// hub (unique interface name) and a throw-away RabbitMQ node listening on the hub's
// tunnel address only. The satellite runs `usm-appliance setup --service foreground`
// in its own namespace.

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = [process.execPath, '--import', 'tsx', join(REPO, 'appliance', 'bin.ts')];
const SAT_ID = 'e2e7';
const QUEUE = `usm_poller-sat-${SAT_ID}`;
const POLLER_ENV = { USM_POLLER_RECONNECT_MAX_MS: '2000', USM_POLLER_HEARTBEAT_S: '5', USM_POLLER_LOG_LEVEL: 'warn' };

let lab: NetLab;
let sat: SatelliteNamespace;
let core: CliCore;
let rabbit: E2eRabbit;
let enrollment: Enrollment;
let model: ChannelModel;
let collector: ResultCollector;
let foreground: ResultPromise | undefined;
let foregroundOut = '';
const root = () => join(lab.dir, 'sat-root');

before(async () => {
  lab = await createNetLab();
  sat = await lab.addSatellite('sat');
  const cliCore = await createCliCore({ dir: lab.dir, tag: lab.tag, octet: lab.octet, endpointHost: sat.hostAddress, cli: CLI, cwd: REPO });
  core = cliCore;
  rabbit = await startE2eRabbit({ tunnelListen: `${core.coreAddress}:5672` });
  cliCore.start(rabbit.nodeName);
  enrollment = await core.enroll(SAT_ID, 'sat.yaml');
  model = await connect(`amqp://guest:guest@127.0.0.1:${rabbit.loopbackPort}/`);
  model.on('error', () => {});
  collector = await openCollector(model);
}, { timeout: 180_000 });

after(async () => {
  if (foreground && foreground.exitCode === null) {
    foreground.kill('SIGTERM');
    await Promise.race([foreground, sleep(20_000)]);
  }
  await collector?.close();
  await model?.close().catch(() => {});
  await core?.down().catch(() => {});
  await lab?.destroy();
  await rabbit?.stop();
}, { timeout: 120_000 });

function job(id: string): Record<string, unknown> {
  return { v: 1, id, type: 'tcp.check', target: { host: '127.0.0.1', port: 9 }, timeoutMs: 2000, params: {} };
}

async function cli(argv: string[]) {
  return sat.exec([...CLI, ...argv], { cwd: REPO, env: POLLER_ENV, timeout: 180_000 });
}

/** Publishes `perSecond` jobs a second until stopped; returns their ids. */
function steadyStream(prefix: string, perSecond: number) {
  const ids: string[] = [];
  let stop = false;
  const done = (async () => {
    for (let n = 0; !stop; n += 1) {
      const id = `${prefix}-${n}`;
      ids.push(id);
      await collector.publish(QUEUE, [job(id)]);
      await sleep(1000 / perSecond);
    }
  })();
  return { ids, stop: async () => { stop = true; await done; } };
}

test('a core that never answers: setup stops at the handshake step, names the fix and leaves nothing behind', { timeout: 120_000 }, async () => {
  const { answersSchema, renderAnswersYaml, generateKeyPair } = await import('../../provision/index.js');
  const good = enrollment.answers;
  assert.equal(good.transport, 'wireguard');
  if (good.transport !== 'wireguard') return;
  const wrong = answersSchema.parse({ ...good, wireguard: { ...good.wireguard, core: { ...good.wireguard.core, publicKey: generateKeyPair().publicKey } } });
  const file = join(lab.dir, 'wrong-core-key.yaml');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file, renderAnswersYaml(wrong), { mode: 0o600 });
  const failRoot = join(lab.dir, 'root-fail');
  const result = await cli(['setup', '--answers', file, '--root', failRoot, '--service', 'foreground', '--handshake-timeout-s', '4']);
  assert.equal(result.exitCode, 1, result.stdout);
  assert.match(result.stderr, /step "handshake" failed: no WireGuard handshake with the core/);
  assert.match(result.stderr, /check that UDP reaches/);
  await assert.rejects(access(join(failRoot, 'etc/usm-appliance/satellite.yaml')));
  await assert.rejects(access(join(failRoot, 'etc/wireguard/usm0.conf')));
  assert.notEqual((await sat.exec(['ip', 'link', 'show', 'usm0'])).exitCode, 0, 'the tunnel is down again');
});

test('setup --answers --service foreground: a job crosses the tunnel, no port is open, the broker sees the tunnel address', { timeout: 240_000 }, async () => {
  const started = Date.now();
  foreground = sat.spawn([...CLI, 'setup', '--answers', enrollment.path, '--root', root(), '--service', 'foreground'], { cwd: REPO, env: POLLER_ENV, buffer: false });
  foreground.stdout?.setEncoding('utf8').on('data', (chunk: string) => { foregroundOut += chunk; });
  foreground.stderr?.setEncoding('utf8').on('data', (chunk: string) => { foregroundOut += chunk; });
  const deadline = Date.now() + 120_000;
  while (!foregroundOut.includes('is ready') && Date.now() < deadline && foreground.exitCode === null) await sleep(100);
  assert.match(foregroundOut, /is ready/, foregroundOut.slice(-3000));
  const readyS = (Date.now() - started) / 1000;
  const handshake = /handshake: with the core \S+ after ([\d.]+) s/.exec(foregroundOut)?.[1];
  assert.match(foregroundOut, /tunnel: usm0 up with (the kernel module|wireguard-go)/);

  await collector.publish(QUEUE, [job('first')]);
  const { missing } = await collector.waitFor(['first'], 30_000);
  assert.deepEqual(missing, []);
  console.log(`figures: handshake ${handshake} s after tunnel up; setup ready after ${readyS.toFixed(1)} s; first result after ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // The files, with their modes.
  for (const [path, mode] of [['etc/wireguard/usm0.conf', 0o600], ['etc/usm-appliance/poller.env', 0o600], ['etc/usm-appliance/satellite.yaml', 0o600]] as const) {
    const { stat } = await import('node:fs/promises');
    assert.equal((await stat(join(root(), path))).mode & 0o777, mode, path);
  }
  assert.doesNotMatch(foregroundOut, new RegExp(enrollment.keys.privateKey.replace(/[+/=]/g, '\\$&')));
  assert.ok(!foregroundOut.includes(enrollment.answers.broker.password), 'the broker password is never printed');

  // No TCP listener at all; UDP only WireGuard's port, which answers nothing.
  const tcp = await sat.exec(['ss', '-Hlnt']);
  assert.equal(tcp.stdout.trim(), '', tcp.stdout);
  const udp = (await sat.exec(['ss', '-Hlnu'])).stdout.trim().split('\n').filter(Boolean);
  // WireGuard's one port, on IPv4 and IPv6 sockets; nothing else.
  assert.ok(udp.length >= 1 && udp.length <= 2, udp.join('\n'));
  for (const line of udp) assert.match(line, new RegExp(`:${core.listenPort}\\s`), line);
  assert.equal(await probeUdp(sat.nsAddress, core.listenPort), false, 'a random UDP probe gets no answer');

  // The broker sees the connection from the satellite's tunnel address.
  const connections = await rabbit.ctl(['list_connections', '--quiet', '--no-table-headers', 'user', 'peer_host']);
  assert.match(connections, new RegExp(`${enrollment.answers.broker.username}\\s+${enrollment.address.replace(/\./g, '\\.')}`), connections);

  const status = await cli(['status', '--root', root(), '--json']);
  assert.equal(status.exitCode, 0, status.stderr);
  const parsed = JSON.parse(status.stdout) as { tunnel: { up: boolean; handshakeAgeS: number }; queue: { consumers: number }; broker: { healthy: boolean } };
  assert.equal(parsed.tunnel.up, true);
  assert.equal(parsed.broker.healthy, true);
  assert.equal(parsed.queue.consumers, 1);
  assert.doesNotMatch(status.stdout, /password|PrivateKey/i);

  const again = await cli(['setup', '--answers', enrollment.path, '--root', root(), '--service', 'foreground']);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.match(again.stdout, /nothing to change/);
});

test('cutting the underlay for 30 s loses no job of a steady stream', { timeout: 240_000 }, async () => {
  const stream = steadyStream('cut', 5);
  await sleep(3_000);
  await sat.setLink(false);
  const cutAt = Date.now();
  await sleep(30_000);
  await sat.setLink(true);
  await sleep(3_000);
  await stream.stop();
  const { missing, duplicates } = await collector.waitFor(stream.ids, 120_000);
  console.log(`figures: link cut ${((Date.now() - cutAt) / 1000).toFixed(0)} s ago; ${stream.ids.length} jobs, lost ${missing.length}, duplicates ${duplicates}`);
  assert.deepEqual(missing, []);
});

test('rotate under a steady stream loses no job, and the old key no longer handshakes', { timeout: 240_000 }, async () => {
  const old = enrollment;
  // Core side, rotate-satellite: a new enrollment file; both peers live until --finish.
  const next = await core.rotate(SAT_ID, 'sat-rotated.yaml');
  assert.notEqual(next.address, old.address);
  assert.equal((await core.listPeers()).length, 2);
  const stream = steadyStream('rot', 5);
  await sleep(2_000);
  const started = Date.now();
  const rotated = await cli(['rotate', '--answers', next.path, '--root', root()]);
  const rotateS = (Date.now() - started) / 1000;
  await sleep(2_000);
  await stream.stop();
  assert.equal(rotated.exitCode, 0, `${rotated.stdout}\n${rotated.stderr}\n${foregroundOut.slice(-3000)}`);
  assert.match(rotated.stdout, /fresh handshake/);
  // Core side, rotate-satellite --finish: checks the new peer's handshake, then the old peer goes.
  await core.finish(SAT_ID);
  const { missing, duplicates } = await collector.waitFor(stream.ids, 120_000);
  console.log(`figures: rotate took ${rotateS.toFixed(1)} s; ${stream.ids.length} jobs, lost ${missing.length}, duplicates ${duplicates}`);
  assert.deepEqual(missing, []);
  assert.deepEqual(await core.listPeers(), [next.keys.publicKey]);
  const connections = await rabbit.ctl(['list_connections', '--quiet', '--no-table-headers', 'user', 'peer_host']);
  assert.match(connections, new RegExp(`\\s${next.address.replace(/\./g, '\\.')}`), connections);
  const state = JSON.parse(await readFile(join(root(), 'var/lib/usm-appliance/satellite-state.json'), 'utf8')) as { rotatedAt?: string; rotatedFromAddress?: string };
  assert.ok(state.rotatedAt);
  assert.equal(state.rotatedFromAddress, `${old.address}/32`);
  assert.equal(await oldKeyHandshakes(old), false);
  enrollment = next;
});

test('uninstall stops the foreground run and removes exactly what setup installed', { timeout: 120_000 }, async () => {
  const dry = await cli(['uninstall', '--root', root(), '--dry-run']);
  assert.equal(dry.exitCode, 0, dry.stderr);
  assert.match(dry.stdout, /remove \/etc\/wireguard\/usm0.conf/);
  const removed = await cli(['uninstall', '--root', root()]);
  assert.equal(removed.exitCode, 0, removed.stderr);
  await Promise.race([foreground, sleep(30_000)]);
  assert.equal(foreground?.exitCode, 0, foregroundOut.slice(-2000));
  for (const path of ['etc/wireguard/usm0.conf', 'etc/usm-appliance/poller.env', 'etc/systemd/system/usm-poller.service', 'var/lib/usm-appliance/satellite-state.json']) {
    await assert.rejects(access(join(root(), path)), path);
  }
  assert.doesNotMatch((await sat.exec(['nft', 'list', 'tables'])).stdout, /usm_appliance/);
  assert.notEqual((await sat.exec(['ip', 'link', 'show', 'usm0'])).exitCode, 0);
});

async function probeUdp(host: string, port: number): Promise<boolean> {
  const socket = createSocket('udp4');
  socket.on('error', () => {});
  let answered = false;
  socket.on('message', () => { answered = true; });
  await new Promise<void>((resolve) => socket.bind(0, sat.hostAddress, () => resolve()));
  for (let i = 0; i < 3; i += 1) socket.send(Buffer.from(`probe-${Math.random()}`.repeat(4)), port, host);
  await sleep(1_500);
  socket.close();
  return answered;
}

/** A separate wireguard-go interface with the old key tries to reach the core for a few seconds. */
async function oldKeyHandshakes(old: Enrollment): Promise<boolean> {
  const keyFile = join(lab.dir, 'old.key');
  const pskFile = join(lab.dir, 'old.psk');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(keyFile, `${old.keys.privateKey}\n`, { mode: 0o600 });
  await writeFile(pskFile, `${old.presharedKey}\n`, { mode: 0o600 });
  const name = 'usmold';
  const daemon = sat.spawn(['wireguard-go', '-f', name], { env: { WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1', LOG_LEVEL: 'error' } });
  try {
    for (let i = 0; i < 100; i += 1) {
      try { await access(join(sat.wgRunDir, `${name}.sock`)); break; } catch { await sleep(50); }
    }
    const set = await sat.exec(['wg', 'set', name, 'listen-port', '51999', 'private-key', keyFile, 'peer', core.publicKey, 'preshared-key', pskFile,
      'endpoint', `${sat.hostAddress}:${core.listenPort}`, 'allowed-ips', '192.0.2.250/32', 'persistent-keepalive', '1']);
    assert.equal(set.exitCode, 0, set.stderr);
    await sat.exec(['ip', 'link', 'set', name, 'up']);
    await sleep(6_000);
    const shown = await sat.exec(['wg', 'show', name, 'latest-handshakes']);
    const stamp = Number(shown.stdout.trim().split('\t')[1] ?? '0');
    console.log(`figures: old key handshake timestamp after 6 s: ${stamp} (0 = none)`);
    return stamp > 0;
  } finally {
    daemon.kill('SIGTERM');
    await Promise.race([daemon, sleep(5_000)]);
    await sat.exec(['ip', 'link', 'del', name]);
  }
}

