import { z } from 'zod';
import type { Command } from '../cli/command.js';
import { parseFlags } from '../cli/parse-flags.js';
import { ForegroundRunner } from '../satellite/foreground-runner.js';
import { renderReadySummary } from '../satellite/ready-summary.js';
import { rootFlag, ROOT_HELP, secondsFlag } from './satellite-flags.js';

const HELP = `usm-appliance run: run the set-up satellite in the foreground (containers, tests).

Brings the tunnel up, loads the firewall, starts the poller as a child process
with the environment file and stays attached. SIGTERM/SIGINT drain the poller
(jobs in flight finish and are acked) and take the tunnel down. SIGHUP re-reads
the files (setup and rotate send it) and restarts what changed.

Usage: usm-appliance run [--root DIR] [--config FILE]

Options:
${ROOT_HELP}
  --config FILE        the applied answers (default /etc/usm-appliance/satellite.yaml)
  --handshake-timeout-s N   default 30
  --ready-timeout-s N       default 60
`;

const flagsSchema = z.strictObject({
  root: rootFlag,
  config: z.string().regex(/^\//, 'must be an absolute path').optional(),
  'handshake-timeout-s': secondsFlag(30),
  'ready-timeout-s': secondsFlag(60),
});

export const runCommand: Command = {
  path: ['run'],
  summary: 'run tunnel, firewall and poller in the foreground (SIGTERM drains)',
  help: HELP,
  async run(argv, io) {
    const flags = parseFlags(argv, { root: { type: 'string' }, config: { type: 'string' }, 'handshake-timeout-s': { type: 'string' }, 'ready-timeout-s': { type: 'string' } }, flagsSchema);
    const started = Date.now();
    const runner = new ForegroundRunner({
      root: flags.root, ...(flags.config ? { answersPath: flags.config } : {}),
      handshakeTimeoutMs: flags['handshake-timeout-s'] * 1000, readyTimeoutMs: flags['ready-timeout-s'] * 1000,
      say: (line) => io.stderr.write(`usm-appliance: ${line}\n`), logStream: io.stderr, passEnv: io.env,
    });
    const report = await runner.start();
    io.stdout.write(renderReadySummary(report.answers, {
      manager: 'foreground', seconds: (Date.now() - started) / 1000, snapshot: report.snapshot, implementation: report.network.implementation,
    }));
    io.stdout.write('running in the foreground; SIGTERM drains the poller and stops\n');
    await runner.serve();
    io.stdout.write('stopped\n');
    return 0;
  },
};
