import { z } from 'zod';
import { UsmError } from '../../../common/usm-error.js';
import type { Command } from '../cli/command.js';
import { parseFlags } from '../cli/parse-flags.js';
import { loadAnswersFile, loadAppliedAnswers } from '../satellite/applied-answers.js';
import { applySetup } from '../satellite/setup-apply.js';
import { readSatelliteState } from '../satellite/satellite-state.js';
import { describeLayout } from '../satellite/satellite-layout.js';
import { readSatelliteStatus, renderSatelliteStatus } from '../satellite/satellite-status.js';
import { applyUninstall, planUninstall } from '../satellite/satellite-uninstall.js';
import { readInterface } from '../tunnel/wg-interface.js';
import { handshakeAgeSeconds } from '../tunnel/wg-dump.js';
import { rootFlag, ROOT_HELP, secondsFlag } from './satellite-flags.js';

const configFlag = z.string().regex(/^\//, 'must be an absolute path').optional();

export const rotateCommand: Command = {
  path: ['rotate'],
  summary: 'switch this satellite to a rotated enrollment file (new keys and tunnel address) without losing jobs',
  help: `usm-appliance rotate: switch to the enrollment file the core's rotate-satellite issued.

Usage: usm-appliance rotate --answers NEW.yaml [--root DIR]

Writes the new files, drains the poller, brings the tunnel up with the new key
and address, restarts the poller on the new address and confirms a fresh
handshake. Then run on the core: usm-appliance core rotate-satellite --id <id> --finish
(it removes the old peer). A failure puts the old configuration back.

Options:
  --answers FILE       the new enrollment file
${ROOT_HELP}
  --config FILE        the applied answers (default /etc/usm-appliance/satellite.yaml)
  --handshake-timeout-s N   default 30
  --ready-timeout-s N       default 60
`,
  async run(argv, io) {
    const flags = parseFlags(argv, { answers: { type: 'string' }, root: { type: 'string' }, config: { type: 'string' }, 'handshake-timeout-s': { type: 'string' }, 'ready-timeout-s': { type: 'string' } },
      z.strictObject({ answers: z.string().min(1), root: rootFlag, config: configFlag, 'handshake-timeout-s': secondsFlag(30), 'ready-timeout-s': secondsFlag(60) }));
    const started = Date.now();
    const current = await loadAppliedAnswers(flags.root, flags.config);
    const next = await loadAnswersFile(flags.answers);
    if (next.satellite.id !== current.satellite.id) throw new UsmError('E_ROTATE', `${flags.answers} is for satellite ${next.satellite.id}, this is satellite ${current.satellite.id}`);
    if (next.transport !== current.transport) throw new UsmError('E_ROTATE', 'the new file changes the transport: use setup --answers instead');
    const state = await readSatelliteState(flags.root, describeLayout(current).stateFile);
    const manager = state?.manager ?? current.service.manager;
    const say = (line: string) => io.stderr.write(`usm-appliance: ${line}\n`);
    const outcome = await applySetup(next, {
      root: flags.root, manager, dryRun: false, noStart: false,
      handshakeTimeoutMs: flags['handshake-timeout-s'] * 1000, readyTimeoutMs: flags['ready-timeout-s'] * 1000,
      say, out: (text) => io.stdout.write(text), logStream: io.stderr, passEnv: io.env,
      rotation: current.transport === 'wireguard' ? { rotatedFromAddress: current.wireguard.address } : {},
    });
    if (outcome.kind === 'applied' && outcome.runner) {
      // Nothing was running: rotate made this process the foreground runner; keep serving.
      io.stdout.write('rotated; running in the foreground\n');
      await outcome.runner.serve();
      return 0;
    }
    let handshake = '';
    if (next.transport === 'wireguard') {
      const state2 = await readInterface(next.wireguard.interface);
      const peer = state2?.peers.find((p) => p.publicKey === next.wireguard.core.publicKey);
      const age = peer ? handshakeAgeSeconds(peer) : null;
      if (!peer?.latestHandshake || peer.latestHandshake * 1000 < started - 1000) {
        throw new UsmError('E_HANDSHAKE', 'step "handshake" failed: no fresh handshake with the new key after the rotation');
      }
      handshake = `, fresh handshake ${age} s ago on ${next.wireguard.address}`;
    }
    io.stdout.write(`rotated satellite ${next.satellite.id} in ${((Date.now() - started) / 1000).toFixed(1)} s${handshake}\n`);
    io.stdout.write(`now run on the core: usm-appliance core rotate-satellite --id ${next.satellite.id} --finish\n`);
    return 0;
  },
};

export const statusCommand: Command = {
  path: ['status'],
  summary: 'tunnel, broker link, queue depth and consumers of this satellite, with advice',
  help: `usm-appliance status: how this satellite is doing.

Usage: usm-appliance status [--root DIR] [--json]

Options:
${ROOT_HELP}
  --config FILE        the applied answers (default /etc/usm-appliance/satellite.yaml)
  --json               machine-readable output
  --sample-ms N        when jobs wait, look again after N ms to see if the queue drains (default 2000)

Exit codes: 0 healthy (connected and consuming), 1 otherwise.
`,
  async run(argv, io) {
    const flags = parseFlags(argv, { root: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean' }, 'sample-ms': { type: 'string' } },
      z.strictObject({ root: rootFlag, config: configFlag, json: z.boolean().default(false), 'sample-ms': z.coerce.number().int().min(0).max(60_000).default(2000) }));
    const answers = await loadAppliedAnswers(flags.root, flags.config);
    const status = await readSatelliteStatus(flags.root, answers, { sampleMs: flags['sample-ms'] });
    io.stdout.write(flags.json ? `${JSON.stringify(status, null, 2)}\n` : renderSatelliteStatus(status));
    return status.broker.healthy ? 0 : 1;
  },
};

export const uninstallCommand: Command = {
  path: ['uninstall'],
  summary: 'remove what setup installed on this satellite, and nothing else',
  help: `usm-appliance uninstall: stop the poller, take the tunnel down, remove the firewall table and
every file setup recorded in its manifest. Nothing else is touched.

Usage: usm-appliance uninstall [--root DIR] [--dry-run]

Options:
${ROOT_HELP}
  --config FILE        the applied answers (default /etc/usm-appliance/satellite.yaml)
  --dry-run            list what would be removed
`,
  async run(argv, io) {
    const flags = parseFlags(argv, { root: { type: 'string' }, config: { type: 'string' }, 'dry-run': { type: 'boolean' } },
      z.strictObject({ root: rootFlag, config: configFlag, 'dry-run': z.boolean().default(false) }));
    const answers = await loadAppliedAnswers(flags.root, flags.config);
    const plan = await planUninstall(flags.root, answers);
    if (!plan) throw new UsmError('E_NOT_SET_UP', 'no manifest of installed files (satellite-state.json): nothing to uninstall');
    const listing = [...plan.actions.map((a) => `  ${a}`), ...plan.files.map((f) => `  remove ${f}`)].join('\n');
    if (flags['dry-run']) {
      io.stdout.write(`uninstall would:\n${listing}\n(dry run: nothing was changed)\n`);
      return 0;
    }
    await applyUninstall(flags.root, answers, plan, (line) => io.stderr.write(`usm-appliance: ${line}\n`));
    io.stdout.write(`uninstalled satellite ${answers.satellite.id}\n`);
    return 0;
  },
};
