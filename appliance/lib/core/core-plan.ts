import type { DesiredFile } from '../plan/file-plan.js';
import type { WgQuickConfig } from '../../../provision/lib/wireguard/wg-quick-config.js';
import type { RabbitmqctlCommand } from '../../../provision/lib/broker-users/satellite-broker-user.js';

/** One rabbitmqctl call and how to take it back if a later step fails. */
export interface BrokerStep {
  command: RabbitmqctlCommand;
  undo: RabbitmqctlCommand[];
  /** A "no such user" answer counts as done (removing a user someone already removed). */
  okIfMissing?: boolean;
}

/**
 * Everything one core command will do, decided before anything is touched:
 * files (under --root), files elsewhere (--out), deletions, broker calls and
 * whether the running interface must follow the hub file. Pure data: the
 * planners build it, apply-core-plan executes or prints it.
 */
export interface CorePlan {
  files: DesiredFile[];
  /** Host paths outside --root (an --out enrollment file). */
  externalFiles: DesiredFile[];
  /** Target paths (under --root) or host paths (`external: true`) to remove. */
  deletions: Array<{ path: string; external: boolean }>;
  broker: BrokerStep[];
  /** The hub config to apply with `wg syncconf` when its interface is up. */
  sync?: { ifname: string; config: WgQuickConfig };
  /** Printed to stdout after a successful apply. */
  summary: string[];
}

export function emptyPlan(): CorePlan {
  return { files: [], externalFiles: [], deletions: [], broker: [], summary: [] };
}
