import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { renderSystemdUnit } from '../../provision/lib/satellite-files/systemd-unit.js';

const ASSET = fileURLToPath(new URL('../../systemd/usm-poller.service', import.meta.url));

/**
 * systemd/usm-poller.service is the unit `setup` installs for a global npm install over WireGuard,
 * shipped for operators who read it before running anything. It must be exactly what the renderer writes.
 */
test('systemd/usm-poller.service is the rendered unit for a global install', async () => {
  const rendered = renderSystemdUnit({
    transport: 'wireguard',
    nodePath: '/usr/bin/node',
    scriptPath: '/usr/lib/node_modules/usm-appliance/dist/poller/bin.js',
    firewallFile: '/etc/usm-appliance/firewall.nft',
  });
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(ASSET, rendered);
  assert.equal(readFileSync(ASSET, 'utf8'), rendered);
  const verify = await execa('systemd-analyze', ['verify', '--man=no', ASSET], { reject: false, timeout: 60_000 });
  // verify complains only about what this machine lacks (the script path, wg-quick@), never about the unit's syntax.
  assert.doesNotMatch(verify.stderr, /Unknown (key|section)|Failed to parse|Invalid/i, verify.stderr);
});
