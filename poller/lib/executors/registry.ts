import type { Executor, ExecutorGroup, ExecutorOptions } from './executor.js';
import { createTcpExecutors } from './tcp/tcp-check.js';
import { createSnmpExecutors } from './snmp/snmp-executors.js';
import { createIcmpExecutors } from './icmp/icmp-executors.js';
import { createSshExecutors } from './ssh/ssh-executors.js';
import { createTelnetExecutors } from './telnet/telnet-executors.js';

export interface ExecutorRegistry {
  get(type: string): Executor | undefined;
  readonly types: readonly string[];
  close(): Promise<void>;
}

export type GroupFactory = (options: ExecutorOptions) => ExecutorGroup;

export const DEFAULT_GROUPS: readonly GroupFactory[] = [
  createTcpExecutors,
  createSnmpExecutors,
  createIcmpExecutors,
  createSshExecutors,
  createTelnetExecutors,
];

export function createExecutorRegistry(options: ExecutorOptions, factories: readonly GroupFactory[] = DEFAULT_GROUPS): ExecutorRegistry {
  const groups = factories.map((factory) => factory(options));
  const byType = new Map<string, Executor>();
  for (const group of groups) {
    for (const executor of group.executors) byType.set(executor.type, executor);
  }
  return {
    get: (type) => byType.get(type),
    types: [...byType.keys()].sort(),
    close: async () => {
      await Promise.allSettled(groups.map((group) => group.close()));
    },
  };
}
