import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { UsmError } from '../../../common/usm-error.js';
import { parseTunnelSubnet } from '../../../provision/lib/addressing/tunnel-subnet.js';
import { parseEndpoint } from '../../../provision/lib/wireguard/endpoint.js';
import { SATELLITE_ID_PATTERN } from '../../../provision/lib/answers/satellite-id.js';
import type { Command, CommandIo } from '../cli/command.js';
import { parseFlags } from '../cli/parse-flags.js';
import type { BrokerControl } from '../core/broker-control.js';

type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

/** --root and --dry-run: every core command has them. */
export const COMMON_OPTIONS = { root: { type: 'string' }, 'dry-run': { type: 'boolean' } } satisfies OptionSpec;
export const commonShape = {
  root: z.string().min(1, 'must not be empty').regex(/^[^\0]+$/, 'must be a path').default('/'),
  'dry-run': z.boolean().default(false),
};

/** --rabbitmqctl and --node: how the broker is reached. */
export const BROKER_OPTIONS = { rabbitmqctl: { type: 'string' }, node: { type: 'string' } } satisfies OptionSpec;
export const brokerShape = {
  rabbitmqctl: z.string().min(1, 'must not be empty').default('rabbitmqctl'),
  node: z.string().regex(/^[A-Za-z0-9_.@-]{1,255}$/, 'must be a RabbitMQ node name such as rabbit@host').optional(),
};

export const COMMON_HELP = `  --root DIR          filesystem prefix every path is placed under (default /)
  --dry-run           print the plan and a diff of every file (secrets masked); change nothing
  --help              this text
`;

export const BROKER_HELP = `  --rabbitmqctl PATH  the rabbitmqctl program (default: rabbitmqctl on PATH)
  --node NAME         RabbitMQ node to talk to (rabbitmqctl -n NAME)
`;

export const satelliteIdFlag = z
  .string({ error: (issue) => (issue.input === undefined ? 'required' : 'expected a satellite id') })
  .regex(SATELLITE_ID_PATTERN, 'must be 1-64 characters of A-Z a-z 0-9 _ -');

export const endpointFlag = z.string({ error: (issue) => (issue.input === undefined ? 'required (HOST[:PORT] the satellites dial)' : 'expected HOST[:PORT]') }).superRefine((value, ctx) => {
  try {
    parseEndpoint(value, 1);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

export const subnetFlag = z.string().superRefine((value, ctx) => {
  try {
    parseTunnelSubnet(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

export const portFlag = z
  .string()
  .regex(/^\d{1,5}$/, 'must be a port number 1-65535')
  .transform(Number)
  .pipe(z.number().int().min(1, 'must be a port number 1-65535').max(65535, 'must be a port number 1-65535'));

export const nameFlag = z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters').regex(/^[^\r\n]*$/, 'must be one line');

export function brokerControl(flags: { rabbitmqctl: string; node?: string | undefined }): BrokerControl {
  return { rabbitmqctl: flags.rabbitmqctl, ...(flags.node === undefined ? {} : { node: flags.node }) };
}

/** The --root directory, resolved; it must exist (a typo must not create a tree somewhere else). */
export async function checkRoot(root: string): Promise<string> {
  const path = resolve(root);
  try {
    if ((await stat(path)).isDirectory()) return path;
  } catch {
    // reported below
  }
  throw new UsmError('E_USAGE', `--root: ${path} is not an existing directory`);
}

export interface CoreCommandSpec<S extends z.ZodType> {
  name: string;
  summary: string;
  usage: string;
  description: string;
  options: OptionSpec;
  optionsHelp: string;
  schema: S;
  run(flags: z.output<S>, io: CommandIo): Promise<number>;
}

/** A `core <name>` command: flags parsed and validated (one line naming the flag), --help from the parts. */
export function defineCoreCommand<S extends z.ZodType>(spec: CoreCommandSpec<S>): Command {
  return {
    path: ['core', spec.name],
    summary: spec.summary,
    help: `Usage: usm-appliance core ${spec.name} ${spec.usage}\n\n${spec.description.trim()}\n\nOptions:\n${spec.optionsHelp}`,
    run: async (argv, io) => spec.run(parseFlags(argv, spec.options, spec.schema), io),
  };
}
