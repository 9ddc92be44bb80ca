import { UsmError } from '../../../common/usm-error.js';
import { isIpAddress } from '../addressing/ip-address.js';

export const DEFAULT_WG_PORT = 51820;

/** A WireGuard endpoint: host name or IP literal, and UDP port. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * Parses `host`, `host:port`, `1.2.3.4:port`, `[v6]` or `[v6]:port`. A bare
 * IPv6 address without brackets is accepted only without a port (there is no
 * other way to read it). `defaultPort` fills a missing port; without it the
 * port is required, as in a wg-quick Endpoint line.
 */
export function parseEndpoint(text: string, defaultPort?: number): Endpoint {
  const value = text.trim();
  let host: string;
  let portText: string | undefined;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0) throw endpointError(text, 'missing "]" after the IPv6 address');
    host = value.slice(1, close);
    const rest = value.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw endpointError(text, 'expected ":port" after "]"');
    portText = rest === '' ? undefined : rest.slice(1);
    if (!host.includes(':') || !isIpAddress(host)) throw endpointError(text, 'brackets must hold an IPv6 address');
  } else if ((value.match(/:/g) ?? []).length > 1) {
    if (!isIpAddress(value)) throw endpointError(text, 'not a host name, IPv4 or IPv6 address');
    host = value;
  } else {
    const colon = value.indexOf(':');
    host = colon < 0 ? value : value.slice(0, colon);
    portText = colon < 0 ? undefined : value.slice(colon + 1);
    if (!isIpAddress(host) && (!HOSTNAME.test(host) || /^[\d.]+$/.test(host))) {
      throw endpointError(text, 'not a valid host name or IPv4 address');
    }
  }
  if (portText === undefined) {
    if (defaultPort === undefined) throw endpointError(text, 'missing ":port"');
    return { host, port: defaultPort };
  }
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) throw endpointError(text, 'port must be 1-65535');
  return { host, port };
}

/** `host:port`, with brackets around IPv6 literals. */
export function formatEndpoint(endpoint: Endpoint): string {
  const host = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  return `${host}:${endpoint.port}`;
}

function endpointError(text: string, reason: string): UsmError {
  return new UsmError('E_WIREGUARD', `endpoint "${text}": ${reason}`);
}
