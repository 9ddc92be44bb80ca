import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { confirm, input, number, password, select } from '@inquirer/prompts';
import type { z } from 'zod';
import { UsmError } from '../../../common/usm-error.js';
import { listZodProblems } from '../../../common/zod-problems.js';
import {
  answersSchema,
  parseAnswersYaml,
  renderAnswersYaml,
  type Answers,
} from '../../../provision/index.js';
import {
  endpointField,
  hostCidrField,
  hostField,
  hostnameField,
  ipAddressField,
  satelliteIdField,
  text,
  wireguardKeyField,
} from '../../../provision/lib/answers/answers-fields.js';
import type { CommandIo } from '../cli/command.js';
import { maskSecrets } from '../plan/file-plan.js';
import type { ServiceManagerName } from './satellite-files.js';

/** Validates one typed answer with the same field schema the answers file uses. */
function check(schema: z.ZodType) {
  return (value: string): string | true => {
    const result = schema.safeParse(value);
    return result.success ? true : (result.error.issues[0]?.message ?? 'invalid');
  };
}

const optional = (schema: z.ZodType) => (value: string) => (value === '' ? true : check(schema)(value));

/**
 * The interactive setup: read an enrollment file or ask every field, each
 * checked as it is typed; then a summary with secrets masked and one
 * question before anything changes. Returns undefined when the operator says no.
 */
export async function runSetupWizard(io: CommandIo, options: { manager?: ServiceManagerName | undefined }): Promise<Answers | undefined> {
  if (!io.interactive) throw new UsmError('E_USAGE', 'no terminal for the wizard: give --answers FILE (the enrollment file from the core)');
  const context = { input: process.stdin, output: process.stdout as NodeJS.WriteStream, clearPromptOnDone: false };
  const source = await select({
    message: 'How do you want to set up this satellite?',
    choices: [
      { name: 'Read the enrollment file from the core', value: 'file' },
      { name: 'Type every field', value: 'manual' },
    ],
  }, context);
  let answers: Answers;
  if (source === 'file') {
    const path = await input({
      message: 'Enrollment file path:',
      validate: async (value) => {
        try {
          parseAnswersYaml(await readFile(value, 'utf8'), value);
          return true;
        } catch (error) {
          return error instanceof UsmError ? [error.message, ...error.problems].join('; ') : String(error);
        }
      },
    }, context);
    answers = parseAnswersYaml(await readFile(path, 'utf8'), path);
  } else {
    answers = await askEveryField(context);
  }
  const manager = options.manager ?? (await select({
    message: 'Run the poller with:',
    default: answers.service.manager,
    choices: [
      { name: 'systemd (usm-poller.service)', value: 'systemd' as const },
      { name: 'Docker Compose (/opt/usm_poller)', value: 'compose' as const },
      { name: 'foreground (this process; containers and tests)', value: 'foreground' as const },
    ],
  }, context));
  answers = { ...answers, service: { manager } };
  process.stdout.write(`\nSummary (secrets masked):\n${maskSecrets(renderAnswersYaml(answers, []))}\n`);
  process.stdout.write('Setup writes the tunnel, poller and firewall files, brings the tunnel up and loads a firewall that drops every inbound connection (keep a console open if you reach this machine over SSH from outside the tunnel).\n');
  const go = await confirm({ message: 'Apply this configuration now?', default: false }, context);
  return go ? answers : undefined;
}

type Context = Parameters<typeof input>[1];

async function askEveryField(context: Context): Promise<Answers> {
  const id = await input({ message: 'Satellite id (as on the core\'s page Equipment - Satellites):', validate: check(satelliteIdField) }, context);
  const name = await input({ message: 'Name (optional):', validate: optional(text().min(1).max(128)) }, context);
  const transport = await select({
    message: 'Transport to the broker:',
    choices: [
      { name: 'WireGuard tunnel to the core (AMQP inside it)', value: 'wireguard' as const },
      { name: 'AMQPS (TLS with a client certificate)', value: 'amqps' as const },
    ],
  }, context);
  const raw: Record<string, unknown> = { version: 1, satellite: { id, ...(name ? { name } : {}) }, transport };
  let brokerHost: string | undefined;
  if (transport === 'wireguard') {
    const iface = await input({ message: 'Tunnel interface:', default: 'usm0', validate: (v) => /^[A-Za-z0-9_=+.-]{1,15}$/.test(v) || 'must be 1-15 of A-Z a-z 0-9 _ = + . -' }, context);
    const address = await input({ message: 'This satellite\'s tunnel address (e.g. 10.77.0.2/32):', validate: check(hostCidrField) }, context);
    const privateKey = await password({ message: 'This satellite\'s WireGuard private key:', mask: '*', validate: check(wireguardKeyField) }, context);
    const publicKey = await input({ message: 'Core public key:', validate: check(wireguardKeyField) }, context);
    const presharedKey = await password({ message: 'Preshared key:', mask: '*', validate: check(wireguardKeyField) }, context);
    const endpoint = await input({ message: 'Core endpoint (host[:port]):', validate: check(endpointField) }, context);
    const coreAddress = await input({ message: 'Core tunnel address (where RabbitMQ listens):', validate: check(ipAddressField) }, context);
    raw.wireguard = { interface: iface, address, privateKey, core: { publicKey, presharedKey, endpoint, address: coreAddress } };
  } else {
    const serverName = await input({ message: 'Broker TLS server name (in its certificate):', validate: check(hostnameField) }, context);
    const caPem = await readPem(await input({ message: 'CA certificate file (PEM):', validate: pemFile('CERTIFICATE') }, context));
    const certPem = await readPem(await input({ message: 'Client certificate file (PEM):', validate: pemFile('CERTIFICATE') }, context));
    const keyPem = await readPem(await input({ message: 'Client key file (PEM):', validate: pemFile('PRIVATE KEY') }, context));
    brokerHost = await input({ message: 'Broker host:', default: serverName, validate: check(hostField) }, context);
    raw.amqps = { serverName, caPem, certPem, keyPem, caSha256: new X509Certificate(caPem).fingerprint256 };
  }
  const port = await number({ message: 'Broker port:', default: transport === 'wireguard' ? 5672 : 5671, min: 1, max: 65535, required: true }, context);
  const vhost = await input({ message: 'Broker virtual host:', default: '/' }, context);
  const username = await input({ message: 'Broker user:', default: `usm-sat-${id}`, validate: (v) => /^[^\s:]{1,255}$/.test(v) || 'must not contain spaces or ":"' }, context);
  const brokerPassword = await password({ message: 'Broker password:', mask: '*', validate: (v) => v.length >= 8 || 'must be at least 8 characters' }, context);
  const concurrency = await number({ message: 'Jobs in flight (poller concurrency):', default: 64, min: 1, max: 4096, required: true }, context);
  raw.broker = { ...(brokerHost ? { host: brokerHost } : {}), port, vhost, username, password: brokerPassword };
  raw.poller = { concurrency };
  const result = answersSchema.safeParse(raw);
  if (!result.success) throw new UsmError('E_ANSWERS', 'the answers do not fit together', { problems: listZodProblems(result.error) });
  return result.data;
}

function pemFile(kind: string) {
  return async (path: string): Promise<string | true> => {
    try {
      const textValue = await readFile(path, 'utf8');
      return textValue.includes(`-----BEGIN`) && textValue.includes(kind) ? true : `not a PEM ${kind.toLowerCase()}`;
    } catch (error) {
      return `cannot read ${path}: ${(error as Error).message}`;
    }
  };
}

async function readPem(path: string): Promise<string> {
  return readFile(path, 'utf8');
}
