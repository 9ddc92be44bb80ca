import { z } from 'zod';
import { stringify } from 'yaml';
import { validateInput } from '../amqps/validate-input.js';

/** Where the status file lives inside the container: the read-only root leaves only the /tmp tmpfs writable. */
export const CONTAINER_STATUS_FILE = '/tmp/usm-poller-status.json';

const hostPath = z.string().regex(/^\/[A-Za-z0-9._/-]*$/, 'must be an absolute path of A-Z a-z 0-9 . _ - /');

const inputSchema = z
  .object({
    /** Our poller image; the tag should follow the appliance release. */
    image: z
      .string()
      .regex(/^[a-z0-9]+([._/-][a-z0-9]+)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/, 'must be an image reference like usm-appliance/poller:0.1.0')
      .default('usm-appliance/poller:latest'),
    /** The environment file next to compose.yaml (it holds the broker password, so never inline). */
    envFile: z.string().regex(/^[A-Za-z0-9._/-]+$/, 'must be a path of A-Z a-z 0-9 . _ - /').default('./poller.env'),
    replicas: z.number().int().min(1).max(64).default(1),
    /** Host directory with ca.pem / client.pem / client.key for amqps, mounted read-only at the same path. */
    tlsDir: hostPath.optional(),
    logMaxSize: z.string().regex(/^\d+[kmg]$/, 'must be like 10m').default('10m'),
    logMaxFiles: z.number().int().min(1).max(100).default(3),
  })
  .strict();

export type ComposeFileInput = z.input<typeof inputSchema>;

/**
 * Pure: /opt/usm_poller/compose.yaml for the Docker way of running the poller,
 * the seed's layout hardened: host network (binds the tunnel address, no
 * published ports), read-only root, every capability dropped but NET_RAW (ICMP).
 */
export function renderComposeFile(input: ComposeFileInput = {}): string {
  const o = validateInput(inputSchema, input, 'compose file');
  const poller: Record<string, unknown> = {
    image: o.image,
    restart: 'unless-stopped',
    // SIGTERM drains jobs in flight (USM_POLLER_DRAIN_TIMEOUT_MS, 30 s by default): Docker's 10 s would cut it short.
    stop_grace_period: '45s',
    env_file: [o.envFile],
    // Not a secret: where the container keeps its health snapshot for the healthcheck.
    environment: { USM_POLLER_STATUS_FILE: CONTAINER_STATUS_FILE },
    network_mode: 'host',
    read_only: true,
    tmpfs: ['/tmp:rw,noexec,nosuid,nodev,size=16m'],
    cap_drop: ['ALL'],
    cap_add: ['NET_RAW'],
    security_opt: ['no-new-privileges:true'],
    ...(o.tlsDir ? { volumes: [`${o.tlsDir}:${o.tlsDir}:ro`] } : {}),
    healthcheck: {
      test: ['CMD', 'usm-poller', 'health', '--file', CONTAINER_STATUS_FILE],
      interval: '30s',
      timeout: '10s',
      retries: 3,
      start_period: '30s',
    },
    logging: { driver: 'json-file', options: { 'max-size': o.logMaxSize, 'max-file': String(o.logMaxFiles) } },
    deploy: { replicas: o.replicas },
  };
  const header = '# usm_poller satellite, written by usm-appliance. Operate with: docker compose up -d | ps | logs -f poller\n';
  return header + stringify({ services: { poller } }, { lineWidth: 0 });
}
