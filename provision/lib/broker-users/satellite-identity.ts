import { z } from 'zod';

/** A satellite id as the job protocol allows it (it becomes part of queue and user names). */
export const satelliteIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -');

/** The RabbitMQ user (and TLS client certificate CN) of one satellite. */
export function brokerUserName(satelliteId: string): string {
  return `usm-sat-${satelliteId}`;
}
