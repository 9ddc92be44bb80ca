import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobClient, type JobReply } from '../appliance/lib/job/job-client.js';
import { percentile } from '../appliance/lib/job/latency-summary.js';
import { jobQueueName } from '../poller/lib/broker/topology.js';
import { allocateSatelliteAddresses, createAddressPool } from '../provision/lib/addressing/address-pool.js';
import { parseTunnelSubnet } from '../provision/lib/addressing/tunnel-subnet.js';
import { buildHubConfig } from '../provision/lib/wireguard/hub-config.js';
import { buildSatelliteConfig } from '../provision/lib/wireguard/satellite-config.js';
import { generateKeyPair, generatePresharedKey } from '../provision/lib/wireguard/wg-keys.js';
import { createVhost, RABBIT } from '../test/support/broker.js';
import { bySize } from './lib/bench-options.js';
import { makeRow, round, type BenchRow } from './lib/bench-row.js';
import { startBenchChild } from './lib/bench-child.js';
import { startBenchPoller } from './lib/bench-poller.js';
import { startBenchSnmpd } from './lib/bench-snmpd.js';
import { addNetns, inNetns, linkNetns, startWireguard } from './lib/netns-lab.js';
import type { RowContext } from './lib/row-context.js';

// Inside the namespaces only: RFC 2544's benchmarking range for the underlay, a private /24 for the tunnel.
const UNDERLAY = { core: '198.18.0.1', sat: '198.18.0.2', prefix: 30 };
const TUNNEL_SUBNET = '10.231.0.0/24';
const WG_PORT = 51820;
const SAT_ID = '7';

/**
 * P5: p50 latency of snmp.get jobs whose poller reaches the broker through a
 * WireGuard tunnel vs the same poller setup over the bare link.
 *
 *   host:      RabbitMQ 127.0.0.1:5672 <- bridge (unix socket -> 127.0.0.1:5672)
 *   core ns:   forwarder on the hub's tunnel address and on the veth address -> the unix socket
 *   sat ns:    poller A -> veth address (no tunnel); poller B -> tunnel address; snmpd on lo
 *
 * A unix socket crosses network namespaces, so nothing is added to the host's
 * network and the broker sees loopback clients. Jobs go to A and B in turn,
 * one at a time, so both paths share whatever else the machine is doing.
 */
export async function runP5(ctx: RowContext): Promise<BenchRow[]> {
  const size = bySize(ctx.profile, {
    full: { jobs: 1_000, warmup: 50 },
    quick: { jobs: 200, warmup: 20 },
    smoke: { jobs: 20, warmup: 5 },
  });
  const tag = randomBytes(3).toString('hex');
  const dir = await mkdtemp(join(tmpdir(), 'usm-bench-p5-'));
  ctx.cleanup.push('temp dir', () => rm(dir, { recursive: true, force: true }));

  const coreNs = await addNetns(`usmb-core-${tag}`, ctx.cleanup);
  const satNs = await addNetns(`usmb-sat-${tag}`, ctx.cleanup);
  await linkNetns(
    { ns: coreNs, dev: `vbc${tag}`, cidr: `${UNDERLAY.core}/${UNDERLAY.prefix}` },
    { ns: satNs, dev: `vbs${tag}`, cidr: `${UNDERLAY.sat}/${UNDERLAY.prefix}` },
  );

  // WireGuard configs from the provisioning generators, exactly as `usm-appliance` renders them.
  const subnet = parseTunnelSubnet(TUNNEL_SUBNET);
  const hubKeys = generateKeyPair();
  const satKeys = generateKeyPair();
  const psk = generatePresharedKey();
  const satAddress = allocateSatelliteAddresses(subnet, createAddressPool(), [SAT_ID]).allocations[0]!.address;
  const hubConfig = buildHubConfig({ subnet, privateKey: hubKeys.privateKey, listenPort: WG_PORT, peers: [{ satelliteId: SAT_ID, publicKey: satKeys.publicKey, presharedKey: psk, address: satAddress }] });
  const satConfig = buildSatelliteConfig({
    address: satAddress,
    privateKey: satKeys.privateKey,
    core: { publicKey: hubKeys.publicKey, presharedKey: psk, endpoint: `${UNDERLAY.core}:${WG_PORT}`, address: subnet.hubAddress.text },
  });
  await startWireguard(coreNs, `usmbc${tag}`, hubConfig, dir, ctx.cleanup);
  await startWireguard(satNs, `usmbs${tag}`, satConfig, dir, ctx.cleanup);
  await inNetns(satNs, ['ping', '-c', '1', '-W', '5', subnet.hubAddress.text]); // handshake before timing anything

  const socketPath = join(dir, 'amqp.sock');
  const bridge = await startBenchChild('tcp-forwarder.ts', [`tcp:${RABBIT.host}:${RABBIT.port}`, `unix:${socketPath}`]);
  ctx.cleanup.push('host bridge', () => bridge.stop());
  const coreForwarder = await startBenchChild('tcp-forwarder.ts', [`unix:${socketPath}`, `tcp:${subnet.hubAddress.text}:5672`, `tcp:${UNDERLAY.core}:5672`], { netns: coreNs });
  ctx.cleanup.push('core forwarder', () => coreForwarder.stop());

  const vhost = await createVhost('bench-p5');
  ctx.cleanup.push('vhost', () => vhost.remove());
  const dsnVia = (host: string) => `amqp://${RABBIT.user}:${RABBIT.password}@${host}:5672/${encodeURIComponent(vhost.name)}`;
  const agent = await startBenchSnmpd({ netns: satNs, port: 16161 });
  ctx.cleanup.push('snmpd', () => agent.stop());
  const direct = await startBenchPoller({ netns: satNs, env: { US_AMQP_DSN: dsnVia(UNDERLAY.core), USM_POLLER_SATELLITE_ID: 'bench-p5-direct' }, bin: ctx.pollerBin, label: 'p5 poller (no tunnel)' });
  ctx.cleanup.push(direct.label, () => direct.stop());
  const tunneled = await startBenchPoller({ netns: satNs, env: { US_AMQP_DSN: dsnVia(subnet.hubAddress.text), USM_POLLER_SATELLITE_ID: 'bench-p5-wg' }, bin: ctx.pollerBin, label: 'p5 poller (WireGuard)' });
  ctx.cleanup.push(tunneled.label, () => tunneled.stop());

  const client = await JobClient.open(vhost.dsn);
  ctx.cleanup.push('job client', () => client.close());
  const job = { v: 1, type: 'snmp.get', target: { host: '127.0.0.1', port: agent.port }, timeoutMs: 5_000, params: { version: '2c', community: agent.community, oids: ['1.3.6.1.2.1.1.5.0'] } };
  const queues = { direct: jobQueueName('bench-p5-direct'), tunnel: jobQueueName('bench-p5-wg') };
  const once = async (queue: string): Promise<JobReply> => {
    const reply = await client.request(queue, job, 30_000);
    if (reply.result.status !== 'ok') throw new Error(`p5 job via ${queue} returned ${String(reply.result.status)}: ${JSON.stringify(reply.result.error)}`);
    return reply;
  };
  for (let i = 0; i < size.warmup; i++) {
    await once(queues.direct);
    await once(queues.tunnel);
  }
  const latencies = { direct: [] as number[], tunnel: [] as number[] };
  for (let i = 0; i < size.jobs; i++) {
    // Alternate which path goes first, so neither always follows the other.
    const order = i % 2 === 0 ? (['direct', 'tunnel'] as const) : (['tunnel', 'direct'] as const);
    for (const path of order) latencies[path].push((await once(queues[path])).latencyMs);
  }
  const handshakes = await inNetns(coreNs, ['wg', 'show', `usmbc${tag}`, 'transfer']);
  const stats = (list: number[]) => {
    const sorted = [...list].sort((a, b) => a - b);
    return { p50: round(percentile(sorted, 50), 3), p90: round(percentile(sorted, 90), 3), p99: round(percentile(sorted, 99), 3) };
  };
  const d = stats(latencies.direct);
  const w = stats(latencies.tunnel);
  ctx.note(`p5: no tunnel p50 ${d.p50} ms p99 ${d.p99} ms; WireGuard p50 ${w.p50} ms p99 ${w.p99} ms (${size.jobs} jobs each)`);
  return [
    makeRow({
      id: 'p5',
      title: 'snmp.get job latency, one at a time, poller in a satellite namespace reaching the broker through wireguard-go vs over the bare veth link',
      figure: { label: 'through WireGuard, p50', value: w.p50, unit: 'ms' },
      reference: { label: 'no tunnel, p50', value: d.p50, unit: 'ms' },
      target: { on: 'difference', op: '<=', value: 1, text: '<= +1 ms' },
      details: { jobsPerPath: size.jobs, differenceMs: round(w.p50 - d.p50, 3), tunnel: w, noTunnel: d, wgTransfer: handshakes.trim().split('\t').slice(1).join(' rx/tx ') + ' bytes' },
    }),
  ];
}
