import { z } from 'zod';
import { validateInput } from '../amqps/validate-input.js';
import { brokerUserName, satelliteIdSchema } from './satellite-identity.js';
import { generateBrokerPassword } from './broker-password.js';
import { satellitePermissions, satelliteTopicPermissions, type BrokerPermissions, type BrokerTopicPermission } from './satellite-permissions.js';

/** One `rabbitmqctl` call: argv without the program, and what goes to its stdin (the password, never argv). */
export interface RabbitmqctlCommand {
  args: string[];
  stdin?: string;
}

/** One management-API request (rabbitmq_management), path already URL-encoded. */
export interface ManagementRequest {
  method: 'PUT' | 'DELETE';
  path: string;
  body?: Record<string, string>;
}

export interface SatelliteBrokerUser {
  user: string;
  password: string;
  vhost: string;
  permissions: BrokerPermissions;
  /** Routing-key limits on topic exchanges (the results exchange). */
  topicPermissions: BrokerTopicPermission[];
  /** Create: add_user (password on stdin), set_permissions, set_topic_permissions. */
  rabbitmqctl: RabbitmqctlCommand[];
  /** Rotate the password of an existing user: change_password (stdin), set_permissions, set_topic_permissions. */
  rabbitmqctlRotate: RabbitmqctlCommand[];
  /** Remove the user (its permissions go with it). */
  rabbitmqctlRemove: RabbitmqctlCommand[];
  /** The same as HTTP requests for a broker with the management plugin (PUT is create-or-update). */
  managementApi: ManagementRequest[];
}

const passwordSchema = z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be 16-128 characters of A-Z a-z 0-9 _ - (URL-safe)');

const inputSchema = z
  .object({
    satelliteId: satelliteIdSchema,
    vhost: z.string().min(1).max(255).regex(/^[^\s\0]+$/, 'must not contain spaces or control characters').default('/'),
    /** Given: reuse it (e.g. re-render for an existing user); absent: a fresh random one. */
    password: passwordSchema.optional(),
    sharedExchanges: z.enum(['declare', 'pre-declared']).default('declare'),
  })
  .strict();

export type SatelliteBrokerUserInput = z.input<typeof inputSchema>;

/** Pure but for the random password: the user, least-privilege permissions and the commands that create them. */
export function planSatelliteBrokerUser(input: SatelliteBrokerUserInput): SatelliteBrokerUser {
  const o = validateInput(inputSchema, input, 'satellite broker user');
  const user = brokerUserName(o.satelliteId);
  const password = o.password ?? generateBrokerPassword();
  const permissions = satellitePermissions(o.satelliteId, { sharedExchanges: o.sharedExchanges });
  const topicPermissions = satelliteTopicPermissions(o.satelliteId);
  const setPermissions: RabbitmqctlCommand[] = [
    { args: ['set_permissions', '-p', o.vhost, user, permissions.configure, permissions.write, permissions.read] },
    // `rabbitmqctl help set_topic_permissions`: [--vhost <vhost>] <username> <exchange> <write> <read>.
    ...topicPermissions.map((topic) => ({ args: ['set_topic_permissions', '-p', o.vhost, user, topic.exchange, topic.write, topic.read] })),
  ];
  const userPath = `/api/users/${encodeURIComponent(user)}`;
  const vhostUser = `${encodeURIComponent(o.vhost)}/${encodeURIComponent(user)}`;
  return {
    user,
    password,
    vhost: o.vhost,
    permissions,
    topicPermissions,
    // rabbitmqctl reads the password from stdin when the argument is omitted (checked on 3.10).
    rabbitmqctl: [{ args: ['add_user', user], stdin: password }, ...setPermissions],
    rabbitmqctlRotate: [{ args: ['change_password', user], stdin: password }, ...setPermissions],
    rabbitmqctlRemove: [{ args: ['delete_user', user] }],
    managementApi: [
      { method: 'PUT', path: userPath, body: { password, tags: '' } },
      {
        method: 'PUT',
        path: `/api/permissions/${vhostUser}`,
        body: { configure: permissions.configure, write: permissions.write, read: permissions.read },
      },
      // One PUT per exchange: the body names it, the path does not.
      ...topicPermissions.map((topic): ManagementRequest => ({
        method: 'PUT', path: `/api/topic-permissions/${vhostUser}`, body: { exchange: topic.exchange, write: topic.write, read: topic.read },
      })),
    ],
  };
}
