import YAML from 'yaml';
import { UsmError } from '../../../common/usm-error.js';
import { listZodProblems } from '../../../common/zod-problems.js';
import { answersSchema, type Answers } from './answers-schema.js';

export const ANSWERS_HEADER = [
  'usm-appliance satellite answers (enrollment) file.',
  'Use on the satellite: usm-appliance setup --answers <this file>',
  'CONTAINS SECRETS (private key, broker password): keep it mode 0600, move it over',
  'a secure channel and delete it once the satellite is set up.',
  'Field reference: docs/answers.md',
];

/**
 * Writes answers as YAML with a fixed key order (whatever order the caller
 * built the object in) and every default spelled out, so the file documents
 * itself. Validates first: the CLI can never write a file setup would reject.
 */
export function renderAnswersYaml(answers: Answers, header: readonly string[] = ANSWERS_HEADER): string {
  const result = answersSchema.safeParse(answers);
  if (!result.success) {
    throw new UsmError('E_ANSWERS', 'refusing to write invalid answers', { problems: listZodProblems(result.error) });
  }
  const doc = new YAML.Document(orderAnswers(result.data));
  doc.commentBefore = header.map((line) => ` ${line}`).join('\n');
  // lineWidth 0: never fold long base64 keys or PEM lines.
  return doc.toString({ lineWidth: 0 });
}

function orderAnswers(answers: Answers): Record<string, unknown> {
  const { broker, poller, service, paths, satellite } = answers;
  return {
    version: answers.version,
    satellite: compact({ id: satellite.id, name: satellite.name, issuedAt: satellite.issuedAt }),
    transport: answers.transport,
    ...(answers.transport === 'wireguard'
      ? {
          wireguard: {
            interface: answers.wireguard.interface,
            address: answers.wireguard.address,
            privateKey: answers.wireguard.privateKey,
            mtu: answers.wireguard.mtu,
            persistentKeepalive: answers.wireguard.persistentKeepalive,
            core: {
              publicKey: answers.wireguard.core.publicKey,
              presharedKey: answers.wireguard.core.presharedKey,
              endpoint: answers.wireguard.core.endpoint,
              address: answers.wireguard.core.address,
            },
          },
        }
      : {
          amqps: {
            serverName: answers.amqps.serverName,
            caSha256: answers.amqps.caSha256,
            caPem: answers.amqps.caPem,
            certPem: answers.amqps.certPem,
            keyPem: answers.amqps.keyPem,
          },
        }),
    broker: { host: broker.host, port: broker.port, vhost: broker.vhost, username: broker.username, password: broker.password },
    poller: {
      concurrency: poller.concurrency,
      replicas: poller.replicas,
      imageTag: poller.imageTag,
      logLevel: poller.logLevel,
      metrics: { enabled: poller.metrics.enabled, host: poller.metrics.host, port: poller.metrics.port },
    },
    service: { manager: service.manager },
    paths: { configDir: paths.configDir, stateDir: paths.stateDir, composeDir: paths.composeDir, wireguardDir: paths.wireguardDir },
  };
}

function compact(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}
