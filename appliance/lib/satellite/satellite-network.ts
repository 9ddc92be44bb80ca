import { readFile } from 'node:fs/promises';
import type { Answers } from '../../../provision/index.js';
import { runTool, type RunTool } from '../plan/run-tool.js';
import { underRoot } from '../plan/file-plan.js';
import { readInterface, type TunnelImplementation } from '../tunnel/wg-interface.js';
import type { PeerState } from '../tunnel/wg-dump.js';
import { checkBrokerLink } from './broker-link.js';
import { loadFirewall } from './firewall-control.js';
import { readPollerEnv } from './poller-env-file.js';
import { describeLayout } from './satellite-layout.js';
import { runStep } from './setup-step.js';
import { restartTunnel, waitForHandshake, type TunnelTarget } from './tunnel-control.js';

export interface NetworkContext {
  root: string;
  answers: Answers;
  run?: RunTool;
  handshakeTimeoutMs: number;
  /** Progress lines for people (never secrets). */
  say(line: string): void;
}

export interface NetworkResult {
  implementation: TunnelImplementation | 'unchanged' | undefined;
  peer: PeerState | undefined;
  /** The wg-quick file content the interface was brought up from. */
  wgConfig: string | undefined;
}

export function tunnelTarget(root: string, answers: Answers): TunnelTarget | undefined {
  if (answers.transport !== 'wireguard') return undefined;
  const layout = describeLayout(answers);
  return {
    configHostPath: underRoot(root, layout.wireguardConfig!),
    interfaceName: answers.wireguard.interface,
    corePublicKey: answers.wireguard.core.publicKey,
    coreAddress: answers.wireguard.core.address,
    coreEndpoint: answers.wireguard.core.endpoint,
  };
}

/**
 * Tunnel (when the transport has one), handshake, firewall, broker check:
 * everything the poller needs before it starts. `restart`: bring the tunnel
 * down and up again even when the interface exists (its file changed).
 */
export async function bringNetworkUp(ctx: NetworkContext, restart: boolean): Promise<NetworkResult> {
  const run = ctx.run ?? runTool;
  const target = tunnelTarget(ctx.root, ctx.answers);
  let implementation: NetworkResult['implementation'];
  let peer: PeerState | undefined;
  let wgConfig: string | undefined;
  if (target) {
    wgConfig = await readFile(target.configHostPath, 'utf8');
    const started = Date.now();
    const exists = (await readInterface(target.interfaceName, { run })) !== null;
    if (restart || !exists) {
      implementation = await runStep('tunnel', () => restartTunnel(target, { run }));
      ctx.say(`tunnel: ${target.interfaceName} up with ${implementation === 'kernel' ? 'the kernel module' : 'wireguard-go (userspace; no kernel module)'}`);
    } else {
      implementation = 'unchanged';
    }
    peer = await runStep('handshake', () => waitForHandshake(target, implementation === 'unchanged' ? 0 : started, ctx.handshakeTimeoutMs, { run }));
    ctx.say(`handshake: with the core ${target.coreEndpoint} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const layout = describeLayout(ctx.answers);
  await runStep('firewall', () => loadFirewall(underRoot(ctx.root, layout.firewall), run));
  ctx.say('firewall: inbound dropped except loopback, replies and WireGuard from the core');
  const env = await readRuntimeEnv(ctx.root, ctx.answers);
  await runStep('broker', () => checkBrokerLink(env));
  ctx.say(`broker: ${ctx.answers.broker.host}:${ctx.answers.broker.port} accepts ${ctx.answers.broker.username}`);
  return { implementation, peer, wgConfig };
}

/**
 * The poller's environment as it runs on this machine: the env file, paths
 * under root, and the TLS files by path when the file leaves them to systemd
 * credentials.
 */
export async function readRuntimeEnv(root: string, answers: Answers): Promise<Record<string, string>> {
  const layout = describeLayout(answers);
  const env = await readPollerEnv(root, layout.pollerEnv);
  if (answers.transport === 'amqps' && env.USM_POLLER_TLS_CA_FILE === undefined) {
    env.USM_POLLER_TLS_CA_FILE = underRoot(root, layout.caFile);
    env.USM_POLLER_TLS_CERT_FILE = underRoot(root, layout.certFile);
    env.USM_POLLER_TLS_KEY_FILE = underRoot(root, layout.keyFile);
  }
  return env;
}
