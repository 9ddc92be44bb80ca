import { answersSchema, generateKeyPair, generatePresharedKey, type Answers } from '../../provision/index.js';

/**
 * Valid wireguard answers for satellite 7 with fresh keys, for tests that only write files
 * (--no-start, --dry-run): the endpoint is a documentation address that nothing ever dials.
 */
export function makeWireguardAnswers(overrides: Record<string, unknown> = {}): Answers {
  return answersSchema.parse({
    version: 1,
    satellite: { id: '7', name: 'Branch' },
    transport: 'wireguard',
    wireguard: {
      address: '10.77.0.2/32', privateKey: generateKeyPair().privateKey,
      core: { publicKey: generateKeyPair().publicKey, presharedKey: generatePresharedKey(), endpoint: '192.0.2.1:51820', address: '10.77.0.1' },
    },
    broker: { username: 'usm-sat-7', password: 'secret-password-for-tests-123' },
    ...overrides,
  });
}
