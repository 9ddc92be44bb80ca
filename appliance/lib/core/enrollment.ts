import { answersSchema, type Answers, type AnswersInput } from '../../../provision/lib/answers/answers-schema.js';
import { renderAnswersYaml } from '../../../provision/lib/answers/render-answers.js';
import { parseEndpoint } from '../../../provision/lib/wireguard/endpoint.js';
import { UsmError } from '../../../common/usm-error.js';
import { listZodProblems } from '../../../common/zod-problems.js';
import type { CoreState, SatelliteRecord } from './core-state-schema.js';
import { subnetOf } from './hub-from-state.js';

/** Secrets the core hands to one satellite and does not keep. */
export type EnrollmentSecrets =
  | { transport: 'wireguard'; address: string; privateKey: string; presharedKey: string }
  | { transport: 'amqps'; caPem: string; certPem: string; keyPem: string };

/**
 * The answers a satellite's `usm-appliance setup --answers` consumes, built
 * from the core state plus the satellite's fresh secrets. Parsed through the
 * answers schema, so every default is filled and nothing invalid leaves here.
 */
export function buildEnrollmentAnswers(state: CoreState, sat: SatelliteRecord, secrets: EnrollmentSecrets, issuedAt: string): Answers {
  const satellite = { id: sat.id, ...(sat.name === undefined ? {} : { name: sat.name }), issuedAt };
  const broker = { vhost: state.broker.vhost, username: sat.broker.username, password: sat.broker.password };
  let input: AnswersInput;
  if (secrets.transport === 'wireguard') {
    const hub = state.wireguard!;
    input = {
      version: 1,
      satellite,
      transport: 'wireguard',
      wireguard: {
        address: secrets.address,
        privateKey: secrets.privateKey,
        mtu: hub.mtu,
        core: { publicKey: hub.publicKey, presharedKey: secrets.presharedKey, endpoint: state.endpoint, address: subnetOf(state).hubAddress.text },
      },
      broker,
    };
  } else {
    const amqps = state.amqps!;
    input = {
      version: 1,
      satellite,
      transport: 'amqps',
      amqps: { serverName: amqps.serverName, caSha256: amqps.caSha256, caPem: secrets.caPem, certPem: secrets.certPem, keyPem: secrets.keyPem },
      broker: { ...broker, host: amqps.brokerHost ?? amqps.serverName, port: parseEndpoint(state.endpoint).port },
    };
  }
  const parsed = answersSchema.safeParse(input);
  if (!parsed.success) {
    throw new UsmError('E_ANSWERS', `cannot build the enrollment file of satellite ${sat.id}`, { problems: listZodProblems(parsed.error) });
  }
  return parsed.data;
}

export function renderEnrollment(state: CoreState, sat: SatelliteRecord, secrets: EnrollmentSecrets, issuedAt: string): string {
  return renderAnswersYaml(buildEnrollmentAnswers(state, sat, secrets, issuedAt));
}
