import { isIP } from 'node:net';
import { z } from 'zod';
import { validateInput } from '../amqps/validate-input.js';

/** Our own nftables table: the ruleset replaces it and touches nothing else. */
export const FIREWALL_TABLE = 'usm_appliance';

const port = z.number().int().min(1).max(65535);
const ipAddress = z.string().refine((value) => isIP(value) !== 0, 'must be an IPv4 or IPv6 address');
const cidr = z.string().refine((value) => {
  const [address = '', prefix, extra] = value.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}, 'must be an address or ADDRESS/PREFIX');
const interfaceName = z.string().regex(/^[A-Za-z0-9_=+.-]{1,15}$/, 'must be an interface name');

const inputSchema = z
  .object({
    transport: z.enum(['wireguard', 'amqps', 'plain']),
    /** wireguard: the core's endpoint address and this satellite's WireGuard listen port. */
    wireguard: z.object({ coreEndpointAddress: ipAddress, listenPort: port }).strict().optional(),
    /**
     * Extra inbound openings the operator asked for (e.g. SSH from the admin
     * network, metrics on the tunnel). Empty by default: no open ports at all.
     */
    allowInbound: z
      .array(z.object({ protocol: z.enum(['tcp', 'udp']), port, from: z.array(cidr).min(1).optional(), iif: interfaceName.optional(), comment: z.string().regex(/^[A-Za-z0-9 ._:/-]{1,64}$/, 'must be 1-64 plain characters').optional() }).strict())
      .max(32)
      .default([]),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.transport === 'wireguard' && !value.wireguard) ctx.addIssue({ code: 'custom', path: ['wireguard'], message: 'required for the wireguard transport' });
    if (value.transport !== 'wireguard' && value.wireguard) ctx.addIssue({ code: 'custom', path: ['wireguard'], message: 'only for the wireguard transport' });
    value.allowInbound.forEach((rule, index) => {
      const families = new Set((rule.from ?? []).map((entry) => isIP(entry.split('/')[0] ?? '')));
      if (families.size > 1) ctx.addIssue({ code: 'custom', path: ['allowInbound', index, 'from'], message: 'mix of IPv4 and IPv6: use one rule per family' });
    });
  });

export type FirewallInput = z.input<typeof inputSchema>;

/**
 * Pure: an `nft -f` script for the satellite. Inbound is dropped except
 * loopback, replies to our own connections, IPv6 neighbour discovery and
 * what the input names; outbound is open. The first three lines create the
 * table if missing and delete it, so loading the file again replaces our
 * table in one transaction (idempotent) without touching other tables.
 */
export function renderFirewall(input: FirewallInput): string {
  const o = validateInput(inputSchema, input, 'firewall');
  const rules = [
    'iif "lo" accept',
    'ct state invalid drop',
    'ct state established,related accept',
    // IPv6 needs neighbour discovery to work at all; only from on-link (hop limit 255).
    'ip6 nexthdr ipv6-icmp icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } ip6 hoplimit 255 accept',
  ];
  if (o.wireguard) {
    const family = isIP(o.wireguard.coreEndpointAddress) === 4 ? 'ip' : 'ip6';
    rules.push(`${family} saddr ${o.wireguard.coreEndpointAddress} udp dport ${o.wireguard.listenPort} accept comment "WireGuard from the core"`);
  }
  for (const rule of o.allowInbound) {
    const parts: string[] = [];
    if (rule.iif) parts.push(`iifname "${rule.iif}"`);
    if (rule.from) {
      const family = isIP(rule.from[0]?.split('/')[0] ?? '') === 4 ? 'ip' : 'ip6';
      parts.push(`${family} saddr ${rule.from.length === 1 ? rule.from[0] : `{ ${rule.from.join(', ')} }`}`);
    }
    parts.push(`${rule.protocol} dport ${rule.port}`, 'accept');
    if (rule.comment) parts.push(`comment "${rule.comment}"`);
    rules.push(parts.join(' '));
  }
  const lines = [
    '#!/usr/sbin/nft -f',
    `# usm-appliance satellite firewall (${o.transport} transport). Written by usm-appliance; replaces only table inet ${FIREWALL_TABLE}.`,
    `table inet ${FIREWALL_TABLE}`,
    `delete table inet ${FIREWALL_TABLE}`,
    `table inet ${FIREWALL_TABLE} {`,
    '\tchain input {',
    '\t\ttype filter hook input priority filter; policy drop;',
    ...rules.map((rule) => `\t\t${rule}`),
    '\t}',
    '',
    '\tchain output {',
    '\t\ttype filter hook output priority filter; policy accept;',
    '\t}',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}
