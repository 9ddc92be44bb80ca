import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { renderWgSyncConfig, type WgQuickConfig } from '../../provision/lib/wireguard/wg-quick-config.js';
import type { CleanupStack } from './cleanup-stack.js';

const EXEC_TIMEOUT_MS = 15_000;

/** Runs a command inside a namespace; resolves with stdout. */
export async function inNetns(ns: string, argv: readonly string[]): Promise<string> {
  const out = await execa('ip', ['netns', 'exec', ns, ...argv], { timeout: EXEC_TIMEOUT_MS });
  return out.stdout;
}

/** A namespace with only `lo` up; deleted by the cleanup stack. */
export async function addNetns(name: string, cleanup: CleanupStack): Promise<string> {
  await execa('ip', ['netns', 'add', name], { timeout: EXEC_TIMEOUT_MS });
  cleanup.push(`netns ${name}`, () => execa('ip', ['netns', 'del', name], { timeout: EXEC_TIMEOUT_MS, reject: false }));
  await inNetns(name, ['ip', 'link', 'set', 'lo', 'up']);
  return name;
}

/** A veth pair between two namespaces, one address on each end, both up. */
export async function linkNetns(a: { ns: string; dev: string; cidr: string }, b: { ns: string; dev: string; cidr: string }): Promise<void> {
  await execa('ip', ['link', 'add', a.dev, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.dev, 'netns', b.ns], { timeout: EXEC_TIMEOUT_MS });
  for (const end of [a, b]) {
    await inNetns(end.ns, ['ip', 'addr', 'add', end.cidr, 'dev', end.dev]);
    await inNetns(end.ns, ['ip', 'link', 'set', end.dev, 'up']);
  }
}

/**
 * Brings up a userspace WireGuard interface (wireguard-go, foreground so we
 * own its pid) in a namespace and applies a rendered wg-quick config the way
 * wg-quick does: syncconf from a 0600 file (keys never on argv), addresses,
 * MTU, a route per AllowedIPs. wireguard-go's control socket lives in the
 * shared /run/wireguard, so `name` must be unique on the machine.
 */
export async function startWireguard(ns: string, name: string, config: WgQuickConfig, dir: string, cleanup: CleanupStack): Promise<void> {
  const daemon = execa('ip', ['netns', 'exec', ns, 'wireguard-go', '-f', name], {
    reject: false,
    env: { WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1', LOG_LEVEL: 'error' },
  });
  cleanup.push(`wireguard-go ${name}`, async () => {
    daemon.kill('SIGTERM');
    const timer = setTimeout(() => daemon.kill('SIGKILL'), 5_000);
    await daemon;
    clearTimeout(timer);
  });
  for (let attempt = 0; ; attempt++) {
    try {
      await access(`/run/wireguard/${name}.sock`);
      break;
    } catch {
      if (attempt > 100) throw new Error(`wireguard-go did not create /run/wireguard/${name}.sock`);
      await sleep(50);
    }
  }
  const file = join(dir, `${name}.conf`);
  await writeFile(file, renderWgSyncConfig(config), { mode: 0o600 });
  await inNetns(ns, ['wg', 'syncconf', name, file]);
  for (const address of config.interface.addresses) await inNetns(ns, ['ip', 'address', 'add', address, 'dev', name]);
  await inNetns(ns, ['ip', 'link', 'set', 'mtu', String(config.interface.mtu ?? 1420), 'up', 'dev', name]);
  for (const peer of config.peers) {
    for (const allowed of peer.allowedIps) await inNetns(ns, ['ip', 'route', 'replace', allowed, 'dev', name]);
  }
}
