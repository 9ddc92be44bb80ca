import { z } from 'zod';
import type { Command } from '../cli/command.js';
import { applyCorePlan } from '../core/apply-core-plan.js';
import { readCoreState } from '../core/core-state-file.js';
import { planInit } from '../core/plan-init.js';
import {
  COMMON_HELP,
  COMMON_OPTIONS,
  checkRoot,
  commonShape,
  defineCoreCommand,
  endpointFlag,
  portFlag,
  subnetFlag,
} from './core-flags.js';

const schema = z.strictObject({
  ...commonShape,
  endpoint: endpointFlag,
  subnet: subnetFlag.optional(),
  transport: z.enum(['wireguard', 'amqps'], { error: 'must be "wireguard" or "amqps"' }).optional(),
  'listen-port': portFlag.optional(),
  'broker-host': z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, 'must be a host name or IP address').optional(),
  vhost: z.string().min(1, 'must not be empty').max(255).regex(/^[^\s\0]+$/, 'must not contain spaces or control characters').optional(),
  interface: z.string().regex(/^[A-Za-z0-9_=+.-]{1,15}$/, 'must be a wg-quick interface name (1-15 of A-Z a-z 0-9 _ = + . -)').optional(),
  force: z.boolean().default(false),
});

export const coreInitCommand: Command = defineCoreCommand({
  name: 'init',
  summary: 'initialise the core: hub keys, tunnel subnet, hub config (or the AMQPS CA)',
  usage: '--endpoint HOST[:PORT] [--subnet CIDR] [--transport wireguard|amqps] [options]',
  description: `
Creates the core's state (/etc/usm-appliance/core.yaml, mode 0600) and, for the
wireguard transport, the hub's key pair and /etc/wireguard/<interface>.conf
(0600). For amqps it creates a CA and the broker's server certificate (SAN =
the endpoint host) under /etc/usm-appliance/tls/ and a rabbitmq.conf snippet.

Running it again with the same settings changes nothing and says so. Flags
left out keep the stored values. Different settings are refused, naming each
one, unless --force; the subnet, transport and interface never change while
satellites are enrolled. Keys and the CA are kept across re-runs.`,
  options: {
    ...COMMON_OPTIONS,
    endpoint: { type: 'string' },
    subnet: { type: 'string' },
    transport: { type: 'string' },
    'listen-port': { type: 'string' },
    'broker-host': { type: 'string' },
    vhost: { type: 'string' },
    interface: { type: 'string' },
    force: { type: 'boolean' },
  },
  optionsHelp: `  --endpoint HOST[:PORT]  where satellites reach the core: the WireGuard endpoint (port 51820 by
                      default) or, for amqps, the broker's TLS listener (port 5671 by default)
  --subnet CIDR       tunnel subnet (default 10.77.0.0/24; the hub takes the first address; IPv6 works)
  --transport T       wireguard (default) or amqps
  --listen-port N     the hub's WireGuard UDP port (default: the endpoint's port)
  --broker-host H     amqps only: the host satellites put in their DSN, added to the certificate's SAN
  --vhost V           RabbitMQ virtual host of the satellites' queues (default /)
  --interface NAME    hub WireGuard interface (default usm0)
  --force             apply settings that differ from the stored ones
${COMMON_HELP}`,
  schema,
  async run(flags, io) {
    const root = await checkRoot(flags.root);
    const existing = await readCoreState(root);
    if (existing) io.stderr.write('... core state found; checking it against the flags\n');
    else if (flags.transport === 'amqps') io.stderr.write('... creating the AMQPS CA and server certificate (openssl)\n');
    const plan = await planInit(root, existing?.state ?? null, {
      endpoint: flags.endpoint,
      force: flags.force,
      ...(flags.transport === undefined ? {} : { transport: flags.transport }),
      ...(flags.subnet === undefined ? {} : { subnet: flags.subnet }),
      ...(flags['listen-port'] === undefined ? {} : { listenPort: flags['listen-port'] }),
      ...(flags['broker-host'] === undefined ? {} : { brokerHost: flags['broker-host'] }),
      ...(flags.vhost === undefined ? {} : { vhost: flags.vhost }),
      ...(flags.interface === undefined ? {} : { interface: flags.interface }),
    });
    const outcome = await applyCorePlan(plan, { root, dryRun: flags['dry-run'], broker: { rabbitmqctl: 'rabbitmqctl' }, stdout: io.stdout, stderr: io.stderr, tunnel: { env: io.env } });
    if (outcome === 'unchanged') io.stdout.write('core already initialised; nothing to change\n');
    else if (outcome === 'applied') io.stdout.write(`${plan.summary.join('\n')}\n`);
    return 0;
  },
});
