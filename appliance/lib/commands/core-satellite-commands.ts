import { z } from 'zod';
import type { Command } from '../cli/command.js';
import { applyCorePlan } from '../core/apply-core-plan.js';
import { requireCoreState } from '../core/core-state-file.js';
import { planAddSatellite, planRemoveSatellite } from '../core/plan-satellites.js';
import {
  BROKER_HELP,
  BROKER_OPTIONS,
  COMMON_HELP,
  COMMON_OPTIONS,
  brokerControl,
  brokerShape,
  checkRoot,
  commonShape,
  defineCoreCommand,
  nameFlag,
  satelliteIdFlag,
} from './core-flags.js';

const addSchema = z.strictObject({
  ...commonShape,
  ...brokerShape,
  id: satelliteIdFlag,
  out: z.string().min(1, 'must not be empty').optional(),
  name: nameFlag.optional(),
  'no-broker': z.boolean().default(false),
  'reuse-address': z.boolean().default(false),
});

export const coreAddSatelliteCommand: Command = defineCoreCommand({
  name: 'add-satellite',
  summary: 'enroll a satellite: address, keys, broker user, hub peer, enrollment file',
  usage: '--id ID [--out FILE] [--name TEXT] [--no-broker] [options]',
  description: `
Allocates the satellite's tunnel address (never one a removed satellite had,
unless --reuse-address), generates its key pair and preshared key (or, for
amqps, its client certificate), creates the RabbitMQ user usm-sat-<id> with
least-privilege permissions (password on stdin, never on the command line),
adds the peer to the hub config and to the running interface (wg syncconf),
and writes the enrollment file (mode 0600) that the satellite consumes with
usm-appliance setup --answers FILE. If any step fails, every earlier step is
undone.`,
  options: { ...COMMON_OPTIONS, ...BROKER_OPTIONS, id: { type: 'string' }, out: { type: 'string' }, name: { type: 'string' }, 'no-broker': { type: 'boolean' }, 'reuse-address': { type: 'boolean' } },
  optionsHelp: `  --id ID             the satellite id from the core's "Equipment - Satellites" page (A-Z a-z 0-9 _ -)
  --out FILE          where to write the enrollment file (default <root>/etc/usm-appliance/satellites/<id>.yaml)
  --name TEXT         a label for people
  --no-broker         do not create the RabbitMQ user (the file still carries a fresh password)
  --reuse-address     allow an address a removed satellite had
${BROKER_HELP}${COMMON_HELP}`,
  schema: addSchema,
  async run(flags, io) {
    const root = await checkRoot(flags.root);
    const state = await requireCoreState(root);
    io.stderr.write(`... generating credentials for satellite ${flags.id}\n`);
    const plan = await planAddSatellite(
      root,
      state,
      { id: flags.id, noBroker: flags['no-broker'], reuseAddress: flags['reuse-address'], ...(flags.name === undefined ? {} : { name: flags.name }), ...(flags.out === undefined ? {} : { out: flags.out }) },
      new Date(),
    );
    const outcome = await applyCorePlan(plan, { root, dryRun: flags['dry-run'], broker: brokerControl(flags), stdout: io.stdout, stderr: io.stderr, tunnel: { env: io.env } });
    if (outcome === 'applied') io.stdout.write(`${plan.summary.join('\n')}\n`);
    return 0;
  },
});

const removeSchema = z.strictObject({ ...commonShape, ...brokerShape, id: satelliteIdFlag, 'keep-broker-user': z.boolean().default(false) });

export const coreRemoveSatelliteCommand: Command = defineCoreCommand({
  name: 'remove-satellite',
  summary: 'remove a satellite: hub peer, broker user, enrollment file; retire its address',
  usage: '--id ID [--keep-broker-user] [options]',
  description: `
Removes the satellite's peer from the hub config and the running interface,
retires its address (not handed out again unless --reuse-address), deletes its
RabbitMQ user (unless --keep-broker-user) and its enrollment file.`,
  options: { ...COMMON_OPTIONS, ...BROKER_OPTIONS, id: { type: 'string' }, 'keep-broker-user': { type: 'boolean' } },
  optionsHelp: `  --id ID             the satellite to remove
  --keep-broker-user  leave the RabbitMQ user usm-sat-<id> in place
${BROKER_HELP}${COMMON_HELP}`,
  schema: removeSchema,
  async run(flags, io) {
    const root = await checkRoot(flags.root);
    const plan = planRemoveSatellite(root, await requireCoreState(root), { id: flags.id, keepBrokerUser: flags['keep-broker-user'] });
    const outcome = await applyCorePlan(plan, { root, dryRun: flags['dry-run'], broker: brokerControl(flags), stdout: io.stdout, stderr: io.stderr, tunnel: { env: io.env } });
    if (outcome === 'applied') io.stdout.write(`${plan.summary.join('\n')}\n`);
    return 0;
  },
});
