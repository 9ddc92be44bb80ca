import type { Answers } from '../../../provision/index.js';
import type { HealthSnapshot } from '../../../poller/lib/health/health-snapshot.js';

/** Pure: the short summary printed once the poller consumes. No secrets: the broker URL comes redacted from the poller. */
export function renderReadySummary(
  answers: Answers,
  info: { manager: string; seconds: number; snapshot?: HealthSnapshot | undefined; implementation?: string | undefined },
): string {
  const lines = [`satellite ${answers.satellite.id} is ready (${info.seconds.toFixed(1)} s)`];
  if (answers.transport === 'wireguard') {
    const how = info.implementation && info.implementation !== 'unchanged' ? ` (${info.implementation})` : '';
    lines.push(`  tunnel   ${answers.wireguard.interface}${how}: ${answers.wireguard.address} -> core ${answers.wireguard.core.address} via ${answers.wireguard.core.endpoint}`);
  } else {
    lines.push(`  tls      amqps to ${answers.broker.host}:${answers.broker.port}, server name ${answers.amqps.serverName}, CA ${answers.amqps.caSha256.slice(0, 23)}...`);
  }
  lines.push(`  broker   ${info.snapshot?.broker ?? `${answers.broker.host}:${answers.broker.port}`} as ${answers.broker.username}`);
  lines.push(`  queue    usm_poller-sat-${answers.satellite.id}${info.snapshot ? `, consuming (poller pid ${info.snapshot.pid})` : ', consuming'}`);
  lines.push(`  service  ${info.manager}`);
  lines.push('  check    usm-appliance status');
  return `${lines.join('\n')}\n`;
}
