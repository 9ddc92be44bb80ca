import { z } from 'zod';
import type { Answers } from '../../../provision/index.js';
import type { Command, CommandIo } from '../cli/command.js';
import { parseFlags } from '../cli/parse-flags.js';
import { loadAnswersFile } from '../satellite/applied-answers.js';
import { applySetup } from '../satellite/setup-apply.js';
import { renderReadySummary } from '../satellite/ready-summary.js';
import { runSetupWizard } from '../satellite/setup-wizard.js';
import { managerFlag, rootFlag, ROOT_HELP, secondsFlag } from './satellite-flags.js';

const HELP = `usm-appliance setup: set this machine up as a satellite (tunnel, firewall, poller).

Usage:
  usm-appliance setup                      interactive wizard (reads an enrollment file or asks every field)
  usm-appliance setup --answers FILE       unattended, from an enrollment (answers) file

Options:
  --answers FILE       the enrollment file written by usm-appliance core add-satellite
${ROOT_HELP}
  --dry-run            show the plan and a diff of every file (secrets masked); change nothing
  --no-start           write the files only: no tunnel, firewall or poller
  --service MANAGER    systemd | compose | foreground (default: service.manager of the answers)
                       foreground stays attached like usm-appliance run (for containers and tests)
  --handshake-timeout-s N   how long to wait for the tunnel handshake (default 30)
  --ready-timeout-s N       how long to wait for the poller to consume (default 60)

Re-running with the same answers changes nothing; new answers change only what differs.
A failed setup puts the previous configuration back. Exit codes: 0 ok, 1 failed, 2 bad usage or answers.
`;

const flagsSchema = z.strictObject({
  answers: z.string().min(1).optional(),
  root: rootFlag,
  'dry-run': z.boolean().default(false),
  'no-start': z.boolean().default(false),
  service: managerFlag,
  'handshake-timeout-s': secondsFlag(30),
  'ready-timeout-s': secondsFlag(60),
});

export const setupCommand: Command = {
  path: ['setup'],
  summary: 'set up this satellite from an enrollment file (--answers) or a wizard',
  help: HELP,
  async run(argv, io) {
    const flags = parseFlags(argv, {
      answers: { type: 'string' }, root: { type: 'string' }, 'dry-run': { type: 'boolean' }, 'no-start': { type: 'boolean' },
      service: { type: 'string' }, 'handshake-timeout-s': { type: 'string' }, 'ready-timeout-s': { type: 'string' },
    }, flagsSchema);
    let answers: Answers;
    if (flags.answers) {
      answers = await loadAnswersFile(flags.answers);
    } else {
      const chosen = await runSetupWizard(io, { manager: flags.service });
      if (!chosen) {
        io.stdout.write('setup cancelled: nothing was changed\n');
        return 1;
      }
      answers = chosen;
    }
    return applyAndReport(answers, flags, io);
  },
};

async function applyAndReport(answers: Answers, flags: z.infer<typeof flagsSchema>, io: CommandIo): Promise<number> {
  const started = Date.now();
  const manager = flags.service ?? answers.service.manager;
  const say = (line: string) => io.stderr.write(`usm-appliance: ${line}\n`);
  const outcome = await applySetup(answers, {
    root: flags.root, manager, dryRun: flags['dry-run'], noStart: flags['no-start'],
    handshakeTimeoutMs: flags['handshake-timeout-s'] * 1000, readyTimeoutMs: flags['ready-timeout-s'] * 1000,
    say, out: (text) => io.stdout.write(text), logStream: io.stderr, passEnv: io.env,
  });
  if (outcome.kind === 'dry-run') return 0;
  if (outcome.kind === 'unchanged') {
    io.stdout.write('nothing to change\n');
    return 0;
  }
  if (outcome.kind === 'files-only') {
    io.stdout.write(`files written (${outcome.changes.length} changed); not started (--no-start)\n`);
    return 0;
  }
  io.stdout.write(renderReadySummary(answers, { manager, seconds: (Date.now() - started) / 1000, snapshot: outcome.snapshot, implementation: outcome.implementation }));
  if (outcome.runner) {
    io.stdout.write('running in the foreground; SIGTERM drains the poller and stops\n');
    await outcome.runner.serve();
    io.stdout.write('stopped\n');
  }
  return 0;
}
