import { z } from 'zod';
import type { Command } from '../cli/command.js';
import { parseFlags } from '../cli/parse-flags.js';
import { runDoctorChecks } from '../ops/doctor-checks.js';
import { renderDoctorReport, summarizeChecks } from '../ops/doctor-report.js';
import { toolsOnPath } from './ops-upgrade-command.js';

const HELP = `usm-appliance doctor: check that this node can run the tunnel and the poller.

Usage: usm-appliance doctor [--root DIR] [--json]

Checks: WireGuard (kernel module or wireguard-go), /dev/net/tun, nftables, Docker Compose or systemd,
clock synchronisation (timedatectl), DNS resolver configuration, the usm0 tunnel and its last handshake,
and a TCP connection to each broker of US_AMQP_DSN (from poller.env) from the tunnel address.
Each line is ok, warn or fail, with a fix under it. Nothing is changed and no name is resolved.

Options:
  --root DIR   read the appliance's files under DIR (default /)
  --json       print {"checks": [...], "summary": {...}}

Exit codes: 0 when no check fails (warnings allowed), 1 when one does.
`;

const flagsSchema = z.strictObject({ root: z.string().min(1).default('/'), json: z.boolean().default(false) });

export const doctorCommand: Command = {
  path: ['doctor'],
  summary: 'check WireGuard, tun, nftables, Docker/systemd, clock, DNS, tunnel and broker reachability, with fixes',
  help: HELP,
  async run(argv, io) {
    const flags = parseFlags(argv, { root: { type: 'string' }, json: { type: 'boolean' } }, flagsSchema);
    const checks = await runDoctorChecks({ run: toolsOnPath(io), systemRoot: '/', configRoot: flags.root, connectTimeoutMs: 3_000 });
    const summary = summarizeChecks(checks);
    io.stdout.write(flags.json ? `${JSON.stringify({ checks, summary }, null, 2)}\n` : renderDoctorReport(checks));
    return summary.fail > 0 ? 1 : 0;
  },
};
