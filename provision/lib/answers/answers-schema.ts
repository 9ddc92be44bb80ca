import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { parseIpAddress } from '../addressing/ip-address.js';
import { DEFAULT_PERSISTENT_KEEPALIVE } from '../wireguard/satellite-config.js';
import { DEFAULT_WG_MTU } from '../wireguard/hub-config.js';
import {
  absolutePathField,
  certificatePemField,
  endpointField,
  hostCidrField,
  hostField,
  hostnameField,
  ipAddressField,
  parseCertificate,
  portField,
  privateKeyPemField,
  satelliteIdField,
  sha256FingerprintField,
  text,
  wireguardKeyField,
} from './answers-fields.js';

export const ANSWERS_VERSION = 1;
export const AMQP_PORT = 5672;
export const AMQPS_PORT = 5671;
export const DEFAULT_PATHS = {
  configDir: '/etc/usm-appliance',
  stateDir: '/var/lib/usm-appliance',
  composeDir: '/opt/usm_poller',
  wireguardDir: '/etc/wireguard',
} as const;

const satelliteSection = z.strictObject({
  id: satelliteIdField,
  name: text().min(1).max(128).regex(/^[^\r\n]*$/, 'must be one line').optional(),
  issuedAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2025-01-31T12:00:00Z' }).optional(),
});

const wireguardSection = z
  .strictObject(
    {
      interface: text().regex(/^[A-Za-z0-9_=+.-]{1,15}$/, 'must be a wg-quick interface name (1-15 of A-Z a-z 0-9 _ = + . -)').default('usm0'),
      address: hostCidrField,
      privateKey: wireguardKeyField,
      mtu: z.number().int().min(1280).max(9000).default(DEFAULT_WG_MTU),
      persistentKeepalive: z.number().int().min(0).max(65535).default(DEFAULT_PERSISTENT_KEEPALIVE),
      core: z.strictObject({
        publicKey: wireguardKeyField,
        presharedKey: wireguardKeyField,
        endpoint: endpointField,
        address: ipAddressField,
      }),
    },
    { error: requiredFor('wireguard') },
  )
  .superRefine((section, ctx) => {
    // zod runs object refinements even after some field checks failed, so parse defensively.
    const own = tryParseIp(section.address.split('/')[0] ?? '');
    const core = tryParseIp(section.core.address);
    if (own === undefined || core === undefined) return;
    if (own.family !== core.family) {
      ctx.addIssue({ code: 'custom', path: ['core', 'address'], message: `IPv${core.family} but wireguard.address is IPv${own.family}` });
    } else if (own.value === core.value) {
      ctx.addIssue({ code: 'custom', path: ['core', 'address'], message: 'must differ from wireguard.address' });
    }
  });

const amqpsSection = z
  .strictObject(
    {
      caPem: certificatePemField,
      caSha256: sha256FingerprintField,
      certPem: certificatePemField,
      keyPem: privateKeyPemField,
      serverName: hostnameField,
    },
    { error: requiredFor('amqps') },
  )
  .superRefine((section, ctx) => {
    const ca = parseCertificate(section.caPem);
    const cert = parseCertificate(section.certPem);
    if (ca === undefined || cert === undefined) return;
    if (ca.fingerprint256 !== section.caSha256) {
      ctx.addIssue({ code: 'custom', path: ['caSha256'], message: `does not match caPem (its SHA-256 is ${ca.fingerprint256})` });
    }
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) {
      ctx.addIssue({ code: 'custom', path: ['certPem'], message: 'is not signed by caPem' });
    }
    const key = loadPrivateKey(section.keyPem);
    if (key !== undefined && !cert.checkPrivateKey(key)) {
      ctx.addIssue({ code: 'custom', path: ['keyPem'], message: 'does not belong to certPem' });
    }
  });

const brokerSection = z.strictObject({
  /** Defaults to wireguard.core.address, or amqps.serverName. */
  host: hostField.optional(),
  /** Defaults to 5672 (wireguard) or 5671 (amqps). */
  port: portField.optional(),
  vhost: text().min(1).max(255).default('/'),
  username: text().min(1).max(255).regex(/^[^\s:]+$/, 'must not contain spaces or ":"'),
  password: text().min(8, 'must be at least 8 characters').max(1024).regex(/^[^\r\n]+$/, 'must be one line'),
});

const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

const pollerSection = z.strictObject({
  concurrency: z.number().int().min(1).max(4096).default(64),
  replicas: z.number().int().min(1).max(64).default(1),
  imageTag: text().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'must be a container image tag, e.g. "3.18"').default('3.18'),
  logLevel: z.enum(logLevels).default('info'),
  metrics: z
    .strictObject({
      enabled: z.boolean().default(false),
      host: ipAddressField.default('127.0.0.1'),
      port: portField.default(9464),
    })
    .prefault({}),
});

const serviceSection = z.strictObject({
  manager: z.enum(['systemd', 'compose', 'foreground']).default('systemd'),
});

const pathsSection = z.strictObject({
  configDir: absolutePathField.default(DEFAULT_PATHS.configDir),
  stateDir: absolutePathField.default(DEFAULT_PATHS.stateDir),
  composeDir: absolutePathField.default(DEFAULT_PATHS.composeDir),
  wireguardDir: absolutePathField.default(DEFAULT_PATHS.wireguardDir),
});

const common = {
  version: z.literal(ANSWERS_VERSION, { error: `must be ${ANSWERS_VERSION} (this appliance reads answers files of version ${ANSWERS_VERSION})` }),
  satellite: satelliteSection,
  broker: brokerSection,
  poller: pollerSection.prefault({}),
  service: serviceSection.prefault({}),
  paths: pathsSection.prefault({}),
};

const mustBeAbsent = (transport: string) => z.undefined({ error: `must be absent when transport is "${transport}"` }).optional();

const wireguardAnswers = z
  .strictObject({ ...common, transport: z.literal('wireguard'), wireguard: wireguardSection, amqps: mustBeAbsent('wireguard') })
  .superRefine((answers, ctx) => {
    // The tunnel only carries traffic to the core's address; any other broker host would mean plain AMQP outside it.
    const coreAddress = answers.wireguard?.core?.address;
    if (answers.broker?.host !== undefined && coreAddress !== undefined && canonicalHost(answers.broker.host) !== coreAddress) {
      ctx.addIssue({
        code: 'custom',
        path: ['broker', 'host'],
        message: `must be the core's tunnel address ${coreAddress} (or left out): plain AMQP must not leave the tunnel`,
      });
    }
  })
  .transform((answers) => ({
    ...answers,
    broker: { ...answers.broker, host: answers.wireguard.core.address, port: answers.broker.port ?? AMQP_PORT },
  }));

const amqpsAnswers = z
  .strictObject({ ...common, transport: z.literal('amqps'), amqps: amqpsSection, wireguard: mustBeAbsent('amqps') })
  .transform((answers) => ({
    ...answers,
    broker: { ...answers.broker, host: answers.broker.host ?? answers.amqps.serverName, port: answers.broker.port ?? AMQPS_PORT },
  }));

/**
 * The enrollment ("answers") file: everything `usm-appliance setup --answers`
 * needs to set up one satellite, written by `usm-appliance core add-satellite`.
 * Parsing fills defaults, so the output type has every field set.
 */
export const answersSchema = z.discriminatedUnion('transport', [wireguardAnswers, amqpsAnswers], {
  error: (issue) => (issue.code === 'invalid_union' ? 'must be "wireguard" or "amqps"' : undefined),
});

export type Answers = z.output<typeof answersSchema>;
export type AnswersInput = z.input<typeof answersSchema>;
export type WireguardAnswers = Extract<Answers, { transport: 'wireguard' }>;
export type AmqpsAnswers = Extract<Answers, { transport: 'amqps' }>;

function requiredFor(section: string) {
  return (issue: { input?: unknown }) => (issue.input === undefined ? `required when transport is "${section}"` : undefined);
}

function canonicalHost(host: string): string {
  try {
    return parseIpAddress(host).text;
  } catch {
    return host;
  }
}

function tryParseIp(text: string) {
  try {
    return parseIpAddress(text);
  } catch {
    return undefined;
  }
}

function loadPrivateKey(pem: string) {
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}
