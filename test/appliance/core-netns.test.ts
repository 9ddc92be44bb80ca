/**
 * The core commands against a real running hub interface: wireguard-go inside network namespaces this test
 * creates (usm-core-<rand> for the core, usm-csat-<rand> for a satellite joined by a veth pair), so nothing
 * touches the host's network. Interface names are unique per run because wireguard-go's control sockets
 * in /run/wireguard are shared by all namespaces. Every process and namespace is removed in after().
 */
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { parseAnswersYaml } from '../../provision/lib/answers/parse-answers.js';
import { renderSatelliteConfigFromAnswers } from '../../provision/lib/answers/satellite-wireguard.js';
import { parseCoreStateYaml } from '../../appliance/lib/core/core-state-file.js';
import { STATE, enrollment, makeRoot, removeRoot } from './core-harness.js';

const EXEC_TIMEOUT = 30_000;
const tag = randomBytes(3).toString('hex');
const coreNs = `usm-core-${tag}`;
const satNs = `usm-csat-${tag}`;
const hubIf = `usmc${tag}`;
const satIf = `usms${tag}`;
// LOG_LEVEL must stay empty: with it set, the wireguard-go daemon keeps wg-quick's output pipes open.
const env = { ...process.env, WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1', LOG_LEVEL: '' };
let root = '';

async function inNs(ns: string, argv: string[], allowFailure = false) {
  return execa('ip', ['netns', 'exec', ns, ...argv], { timeout: EXEC_TIMEOUT, env, reject: !allowFailure });
}

/** The real CLI, as a process inside the core's namespace. */
async function cli(...args: string[]) {
  const result = await execa('ip', ['netns', 'exec', coreNs, process.execPath, '--import', 'tsx', 'appliance/bin.ts', 'core', ...args, '--root', root], {
    timeout: 90_000, env, reject: false, cwd: process.cwd(),
  });
  return { code: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

async function hubPeers(): Promise<string[]> {
  return (await inNs(coreNs, ['wg', 'show', hubIf, 'peers'])).stdout.split('\n').filter(Boolean);
}

/** Brings the satellite side up from an enrollment file (what `usm-appliance setup/rotate` will do) and pings the core through it. */
async function satelliteFrom(enrollmentPath: string): Promise<void> {
  await inNs(satNs, ['wg-quick', 'down', join(root, `${satIf}.conf`)], true);
  const answers = parseAnswersYaml(await readFile(enrollmentPath, 'utf8'));
  assert.ok(answers.transport === 'wireguard');
  const config = join(root, `${satIf}.conf`);
  await writeFile(config, renderSatelliteConfigFromAnswers(answers), { mode: 0o600 });
  await inNs(satNs, ['wg-quick', 'up', config]);
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const ping = await inNs(satNs, ['ping', '-c', '1', '-W', '1', answers.wireguard.core.address], true);
    if (ping.exitCode === 0) return;
    await sleep(250);
  }
  assert.fail(`no ping through the tunnel to ${answers.wireguard.core.address}`);
}

async function killNamespace(ns: string): Promise<void> {
  const pids = await execa('ip', ['netns', 'pids', ns], { timeout: EXEC_TIMEOUT, reject: false });
  // Only processes inside the namespaces this test made (the wireguard-go daemons it started).
  for (const pid of String(pids.stdout).split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGTERM');
    } catch {
      // already gone
    }
  }
  await execa('ip', ['netns', 'del', ns], { timeout: EXEC_TIMEOUT, reject: false });
}

before(async () => {
  root = await makeRoot('core-netns');
  for (const ns of [coreNs, satNs]) {
    await execa('ip', ['netns', 'add', ns], { timeout: EXEC_TIMEOUT });
    await inNs(ns, ['ip', 'link', 'set', 'lo', 'up']);
  }
  const [vethCore, vethSat] = [`vc${tag}`, `vs${tag}`];
  await execa('ip', ['link', 'add', vethCore, 'netns', coreNs, 'type', 'veth', 'peer', 'name', vethSat, 'netns', satNs], { timeout: EXEC_TIMEOUT });
  await inNs(coreNs, ['ip', 'addr', 'add', '192.0.2.1/30', 'dev', vethCore]);
  await inNs(satNs, ['ip', 'addr', 'add', '192.0.2.2/30', 'dev', vethSat]);
  await inNs(coreNs, ['ip', 'link', 'set', vethCore, 'up']);
  await inNs(satNs, ['ip', 'link', 'set', vethSat, 'up']);
});

after(async () => {
  await killNamespace(coreNs);
  await killNamespace(satNs);
  for (const name of [hubIf, satIf]) await rm(`/run/wireguard/${name}.sock`, { force: true });
  if (root !== '') await removeRoot(root);
});

test('core up, add-satellite with syncconf, a real handshake, rotation start/finish, remove, core down', { timeout: 300_000 }, async () => {
  const init = await cli('init', '--endpoint', '192.0.2.1', '--interface', hubIf);
  assert.equal(init.code, 0, init.stderr);
  const up = await cli('up');
  assert.equal(up.code, 0, up.stderr);
  // This kind of machine has no WireGuard module: the report must name the userspace fallback, not "kernel".
  const expected = existsSync('/sys/module/wireguard') ? 'kernel' : 'wireguard-go';
  assert.match(up.stdout, new RegExp(`^${hubIf} is up \\(${expected}\\)$`, 'm'));
  assert.match((await cli('up')).stdout, /is already up/);
  assert.deepEqual(await hubPeers(), []);

  // Added while the interface runs: syncconf puts the peer on it at once.
  const added = await cli('add-satellite', '--id', '21', '--no-broker');
  assert.equal(added.code, 0, added.stderr);
  assert.match(added.stderr, /wg syncconf/);
  const state = parseCoreStateYaml(await readFile(join(root, STATE), 'utf8'));
  const first = state.satellites[0]!.wireguard!;
  assert.deepEqual(await hubPeers(), [first.publicKey]);
  const allowed = (await inNs(coreNs, ['wg', 'show', hubIf, 'allowed-ips'])).stdout;
  assert.equal(allowed.trim(), `${first.publicKey}\t10.77.0.2/32`);
  assert.match((await cli('list')).stdout, /^21 +10\.77\.0\.2 +wireguard +\S+ +- +never$/m);

  await satelliteFrom(join(root, enrollment('21')));
  assert.match((await cli('list')).stdout, /^21 +10\.77\.0\.2 +wireguard +\S+ +- +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);

  // Rotation: both peers on the running interface, finish refused until the new one shakes hands.
  const start = await cli('rotate-satellite', '--id', '21');
  assert.equal(start.code, 0, start.stderr);
  const rotating = parseCoreStateYaml(await readFile(join(root, STATE), 'utf8')).satellites[0]!.rotation!.wireguard!;
  assert.deepEqual(new Set(await hubPeers()), new Set([first.publicKey, rotating.publicKey]));
  const refused = await cli('rotate-satellite', '--id', '21', '--finish');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /the new peer \(10\.77\.0\.3\) has not shaken hands \(no handshake from it yet\)/);
  assert.deepEqual(new Set(await hubPeers()), new Set([first.publicKey, rotating.publicKey]));

  await satelliteFrom(join(root, enrollment('21')));
  const finished = await cli('rotate-satellite', '--id', '21', '--finish');
  assert.equal(finished.code, 0, finished.stderr);
  assert.deepEqual(await hubPeers(), [rotating.publicKey]);
  const done = parseCoreStateYaml(await readFile(join(root, STATE), 'utf8'));
  assert.ok(done.satellites[0]!.rotatedAt);
  assert.deepEqual(done.wireguard?.retiredAddresses, ['10.77.0.2']);
  assert.match((await cli('list')).stdout, /^21 +10\.77\.0\.3 +wireguard +\S+ +\d{4}-\S+Z +\d{4}-\S+Z$/m);
  // The tunnel still works on the new address after the old peer is gone.
  const ping = await inNs(satNs, ['ping', '-c', '1', '-W', '2', '10.77.0.1'], true);
  assert.equal(ping.exitCode, 0);

  const removed = await cli('remove-satellite', '--id', '21');
  assert.equal(removed.code, 0, removed.stderr);
  assert.deepEqual(await hubPeers(), []);

  const down = await cli('down');
  assert.equal(down.code, 0, down.stderr);
  assert.equal((await inNs(coreNs, ['wg', 'show', hubIf], true)).exitCode === 0, false);
  assert.match((await cli('list')).stdout, /no satellites enrolled/);
});
