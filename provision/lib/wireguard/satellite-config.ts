import { UsmError } from '../../../common/usm-error.js';
import { hostCidr } from '../addressing/cidr.js';
import { parseIpAddress } from '../addressing/ip-address.js';
import { DEFAULT_WG_PORT, formatEndpoint, parseEndpoint } from './endpoint.js';
import { checkMtu, DEFAULT_WG_MTU, stripHostPrefix } from './hub-config.js';
import { assertWireguardKey } from './wg-keys.js';
import { renderWgQuickConfig, type WgQuickConfig } from './wg-quick-config.js';

export const DEFAULT_PERSISTENT_KEEPALIVE = 25;

export const SATELLITE_HEADER = [
  'usm-appliance satellite WireGuard tunnel to the core. Generated file: `usm-appliance setup` rewrites it.',
  'Contains the private key: keep it mode 0600, owned by root.',
];

export interface SatelliteConfigInput {
  /** The satellite's tunnel address (bare, /32 or /128). */
  readonly address: string;
  readonly privateKey: string;
  readonly mtu?: number;
  readonly core: {
    readonly publicKey: string;
    readonly presharedKey: string;
    /** `host[:port]`; the port defaults to 51820. */
    readonly endpoint: string;
    /** The core's tunnel address (where the broker listens). */
    readonly address: string;
  };
  readonly persistentKeepalive?: number;
  readonly header?: readonly string[];
}

/**
 * The satellite's config. AllowedIPs is only the core's host address: the
 * tunnel carries broker traffic and nothing else, and no default route moves.
 * The satellite has no ListenPort: it only dials out, so no port is opened.
 * Keepalive holds NAT mappings open so the core can push to the satellite.
 */
export function buildSatelliteConfig(input: SatelliteConfigInput): WgQuickConfig {
  assertWireguardKey(input.privateKey, 'satellite private key');
  assertWireguardKey(input.core.publicKey, 'core public key');
  assertWireguardKey(input.core.presharedKey, 'preshared key');
  const address = parseIpAddress(stripHostPrefix(input.address, 'satellite'), 'satellite address');
  const coreAddress = parseIpAddress(stripHostPrefix(input.core.address, 'core'), 'core address');
  if (address.family !== coreAddress.family) {
    throw new UsmError('E_WIREGUARD', `satellite address ${address.text} and core address ${coreAddress.text} are of different IP families`);
  }
  if (address.value === coreAddress.value) throw new UsmError('E_WIREGUARD', `satellite and core share the address ${address.text}`);
  const keepalive = input.persistentKeepalive ?? DEFAULT_PERSISTENT_KEEPALIVE;
  if (!Number.isInteger(keepalive) || keepalive < 0 || keepalive > 65535) {
    throw new UsmError('E_WIREGUARD', `persistent keepalive ${keepalive} must be 0-65535 seconds`);
  }
  return {
    header: input.header ?? SATELLITE_HEADER,
    interface: {
      addresses: [hostCidr(address).text],
      privateKey: input.privateKey,
      mtu: checkMtu(input.mtu ?? DEFAULT_WG_MTU),
    },
    peers: [
      {
        publicKey: input.core.publicKey,
        presharedKey: input.core.presharedKey,
        endpoint: formatEndpoint(parseEndpoint(input.core.endpoint, DEFAULT_WG_PORT)),
        allowedIps: [hostCidr(coreAddress).text],
        ...(keepalive > 0 ? { persistentKeepalive: keepalive } : {}),
      },
    ],
  };
}

export function renderSatelliteConfig(input: SatelliteConfigInput): string {
  return renderWgQuickConfig(buildSatelliteConfig(input));
}
