import type { PollerStatus } from '../runtime/poller.js';

/** What `usm-poller health`, Docker, systemd and `usm-appliance status` read. */
export interface HealthSnapshot extends PollerStatus {
  healthy: boolean;
  pid: number;
  pollerId: string;
  satelliteId: string | null;
  version: string;
  updatedAt: string;
}

export function takeSnapshot(status: PollerStatus, identity: { id: string; satelliteId: string | null; version: string }, now = new Date()): HealthSnapshot {
  return {
    ...status,
    healthy: status.connected && status.consuming,
    pid: process.pid,
    pollerId: identity.id,
    satelliteId: identity.satelliteId,
    version: identity.version,
    updatedAt: now.toISOString(),
  };
}
