import { z } from 'zod';
import { validateInput } from '../amqps/validate-input.js';

/** The poller's unit name; `usm-appliance` starts, stops and inspects it by this name. */
export const POLLER_UNIT_NAME = 'usm-poller.service';

const absolutePath = z.string().regex(/^\/[A-Za-z0-9._/@+-]*$/, 'must be an absolute path of A-Z a-z 0-9 . _ - / @ +');

const inputSchema = z
  .object({
    /** Absolute path of node (ExecStart runs no shell and no PATH lookup). */
    nodePath: absolutePath.default('/usr/bin/node'),
    /** Absolute path of the poller's entry script (dist/poller/bin.js). */
    scriptPath: absolutePath,
    envFile: absolutePath.default('/etc/usm-appliance/poller.env'),
    transport: z.enum(['wireguard', 'amqps', 'plain']),
    /** wg-quick interface the unit is bound to (wireguard transport). */
    wgInterface: z.string().regex(/^[A-Za-z0-9_=+.-]{1,15}$/, 'must be a wg-quick interface name').default('usm0'),
    /** amqps: CA, client certificate and key handed to the service as systemd credentials (only it can read them). */
    tlsFiles: z.object({ caFile: absolutePath, certFile: absolutePath, keyFile: absolutePath }).strict().optional(),
    /**
     * Run node with --jitless and MemoryDenyWriteExecute=yes. V8's JIT flips
     * pages to executable, which MemoryDenyWriteExecute forbids (node aborts);
     * without the JIT node runs, slower. Off by default.
     */
    jitless: z.boolean().default(false),
    /**
     * nftables ruleset loaded (with full privileges, `+`) before every start, so the firewall is in
     * place after a reboot before the poller runs; the sandboxed service itself never gets CAP_NET_ADMIN.
     */
    firewallFile: absolutePath.optional(),
    nftPath: absolutePath.default('/usr/sbin/nft'),
    /** notify: the poller reports readiness once connected and consuming (systemd-notify, hence NotifyAccess=all). */
    type: z.enum(['notify', 'simple']).default('notify'),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.tlsFiles && value.transport !== 'amqps') ctx.addIssue({ code: 'custom', path: ['tlsFiles'], message: 'only for the amqps transport' });
  });

export type SystemdUnitInput = z.input<typeof inputSchema>;

/**
 * Pure: usm-poller.service, sandboxed so that `systemd-analyze security`
 * rates it well below 2.0. The only privilege left is CAP_NET_RAW (ICMP).
 */
export function renderSystemdUnit(input: SystemdUnitInput): string {
  const o = validateInput(inputSchema, input, 'systemd unit');
  const tunnel = `wg-quick@${o.wgInterface}.service`;
  const unit = [
    '[Unit]',
    'Description=usm-poller: USERSIDE network jobs from RabbitMQ (usm-appliance satellite)',
    'Documentation=https://github.com/usm-appliance/usm-appliance',
    ...(o.transport === 'wireguard'
      ? [
          // Poller and tunnel live and die together: it binds the tunnel address.
          `After=network-online.target ${tunnel}`,
          'Wants=network-online.target',
          `BindsTo=${tunnel}`,
        ]
      : ['After=network-online.target', 'Wants=network-online.target']),
    'StartLimitIntervalSec=300',
    'StartLimitBurst=10',
  ];
  const service = [
    '[Service]',
    `Type=${o.type}`,
    ...(o.type === 'notify' ? ['NotifyAccess=all', 'TimeoutStartSec=120'] : []),
    ...(o.firewallFile ? [`ExecStartPre=+${o.nftPath} -f ${o.firewallFile}`] : []),
    `ExecStart=${o.nodePath}${o.jitless ? ' --jitless' : ''} ${o.scriptPath}`,
    `EnvironmentFile=${o.envFile}`,
    'Environment=NODE_ENV=production',
    'Environment=USM_POLLER_STATUS_FILE=%t/usm-poller/status.json',
    ...tlsLines(o.tlsFiles),
    'Restart=on-failure',
    'RestartSec=5s',
    // The poller drains in-flight jobs on SIGTERM (USM_POLLER_DRAIN_TIMEOUT_MS, 30 s by default).
    'TimeoutStopSec=45s',
    '',
    '# Identity and privileges',
    'DynamicUser=yes',
    'RuntimeDirectory=usm-poller',
    'RuntimeDirectoryMode=0755',
    'UMask=0077',
    'NoNewPrivileges=yes',
    'CapabilityBoundingSet=CAP_NET_RAW',
    'AmbientCapabilities=CAP_NET_RAW',
    'SecureBits=noroot-locked',
    '',
    '# File system',
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'DevicePolicy=closed',
    'ProtectProc=invisible',
    'ProcSubset=pid',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'KeyringMode=private',
    'RemoveIPC=yes',
    'PrivateIPC=yes',
    'PrivateMounts=yes',
    '',
    '# Kernel interfaces',
    // AF_NETLINK: interface lookups (getifaddrs) for the local address; AF_UNIX: sd_notify.
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK',
    'RestrictNamespaces=yes',
    'LockPersonality=yes',
    ...(o.jitless ? ['MemoryDenyWriteExecute=yes'] : ['# MemoryDenyWriteExecute is off: V8\'s JIT needs it (see the jitless option).']),
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'SystemCallFilter=@system-service',
    // Not ~@privileged: iputils ping drops its capabilities with capset() and fping calls setuid(getuid()); both are in it.
    'SystemCallFilter=~@resources @mount @swap @reboot @obsolete @debug @cpu-emulation @clock @module @raw-io',
    'SystemCallErrorNumber=EPERM',
    'SystemCallArchitectures=native',
  ];
  const install = ['[Install]', 'WantedBy=multi-user.target'];
  return `# Written by usm-appliance. Do not edit: re-run setup instead.\n${[unit, service, install].map((part) => part.join('\n')).join('\n\n')}\n`;
}

/** Credentials are copied to a directory only this service can read; %d is that directory. */
function tlsLines(files: { caFile: string; certFile: string; keyFile: string } | undefined): string[] {
  if (!files) return [];
  return [
    `LoadCredential=ca.pem:${files.caFile}`,
    `LoadCredential=client.pem:${files.certFile}`,
    `LoadCredential=client.key:${files.keyFile}`,
    // These win over the EnvironmentFile only if it leaves the TLS file variables out (systemd: EnvironmentFile overrides Environment).
    'Environment=USM_POLLER_TLS_CA_FILE=%d/ca.pem',
    'Environment=USM_POLLER_TLS_CERT_FILE=%d/client.pem',
    'Environment=USM_POLLER_TLS_KEY_FILE=%d/client.key',
  ];
}
