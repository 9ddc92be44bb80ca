import { z } from 'zod';
import { UsmError } from '../../../common/usm-error.js';
import type { Command } from '../cli/command.js';
import { applyCorePlan } from '../core/apply-core-plan.js';
import { requireCoreState } from '../core/core-state-file.js';
import { planRotationCancel, planRotationFinish, planRotationStart } from '../core/plan-satellites.js';
import { readInterface } from '../tunnel/wg-interface.js';
import { COMMON_HELP, COMMON_OPTIONS, checkRoot, commonShape, defineCoreCommand, satelliteIdFlag } from './core-flags.js';

const schema = z
  .strictObject({
    ...commonShape,
    id: satelliteIdFlag,
    out: z.string().min(1, 'must not be empty').optional(),
    finish: z.boolean().default(false),
    cancel: z.boolean().default(false),
    force: z.boolean().default(false),
  })
  .superRefine((flags, ctx) => {
    if (flags.finish && flags.cancel) ctx.addIssue({ code: 'custom', path: ['cancel'], message: 'cannot be combined with --finish' });
    if (flags.out !== undefined && (flags.finish || flags.cancel)) ctx.addIssue({ code: 'custom', path: ['out'], message: 'only when starting a rotation (not with --finish or --cancel)' });
    if (flags.force && !flags.finish) ctx.addIssue({ code: 'custom', path: ['force'], message: 'only with --finish' });
  });

export const coreRotateSatelliteCommand: Command = defineCoreCommand({
  name: 'rotate-satellite',
  summary: 'rotate a satellite\'s tunnel credentials (start, then --finish)',
  usage: '--id ID [--out FILE] | --id ID --finish [--force] | --id ID --cancel',
  description: `
WireGuard cannot route one address to two peers, so a rotation gives the
satellite a new key pair, preshared key and tunnel address. Starting it adds
the new peer next to the old one (hub config and running interface) and writes
a new enrollment file. On the satellite, usm-appliance rotate --answers FILE
switches to it. --finish then checks that the new peer has shaken hands
(refused otherwise, unless --force), removes the old peer and retires the old
address. With amqps the rotation issues a new client certificate instead.
--cancel drops a pending rotation and keeps the old credentials.`,
  options: { ...COMMON_OPTIONS, id: { type: 'string' }, out: { type: 'string' }, finish: { type: 'boolean' }, cancel: { type: 'boolean' }, force: { type: 'boolean' } },
  optionsHelp: `  --id ID             the satellite
  --out FILE          where to write the new enrollment file (default <root>/etc/usm-appliance/satellites/<id>.yaml)
  --finish            complete a pending rotation: drop the old peer once the new one has shaken hands
  --force             with --finish: do it without a handshake from the new peer
  --cancel            drop a pending rotation
${COMMON_HELP}`,
  schema,
  async run(flags, io) {
    const root = await checkRoot(flags.root);
    const state = await requireCoreState(root);
    let plan;
    if (flags.finish) {
      const running = state.wireguard ? await readInterface(state.wireguard.interface) : null;
      plan = planRotationFinish(state, flags.id, running, flags.force, new Date());
    } else if (flags.cancel) {
      plan = planRotationCancel(state, flags.id);
    } else {
      io.stderr.write(`... generating new credentials for satellite ${flags.id}\n`);
      plan = await planRotationStart(root, state, { id: flags.id, ...(flags.out === undefined ? {} : { out: flags.out }) }, new Date());
    }
    const outcome = await applyCorePlan(plan, { root, dryRun: flags['dry-run'], broker: { rabbitmqctl: 'rabbitmqctl' }, stdout: io.stdout, stderr: io.stderr, tunnel: { env: io.env } });
    if (outcome === 'applied') io.stdout.write(`${plan.summary.join('\n')}\n`);
    if (outcome === 'unchanged') throw new UsmError('E_ROTATION', 'nothing changed');
    return 0;
  },
});
