/**
 * The URL a local client uses to reach a listener.
 */
import { hostPort } from './host.js';

/**
 * `http://<address>:<port>` for a bound address: IPv6 in brackets, the wildcard addresses
 * replaced by the loopback of their family (a client cannot connect to `0.0.0.0` portably), and the
 * port always written, even 80, so the URL reads the same for every port.
 *
 * @example
 * ```ts
 * listenerUrl('127.0.0.1', 1338); // 'http://127.0.0.1:1338'
 * listenerUrl('::', 80); // 'http://[::1]:80'
 * ```
 */
export function listenerUrl(address: string, port: number): string {
  return `http://${hostPort(localAddress(address), port)}`;
}

/** The wildcard addresses are not portable destinations: a local client reaches them on loopback. */
function localAddress(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '::1';
  return address;
}

/** Whether a bound address (as `server.address()` reports it) is a wildcard: `0.0.0.0` or `::`. */
export function isWildcardAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}
