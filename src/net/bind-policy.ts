import { isLoopbackHost } from './loopback.js';

/**
 * Whether the control API may listen on `host` with the given token: on loopback a token is
 * optional; beyond loopback (a LAN address, `0.0.0.0`, `::`, any host name) one is required,
 * because anyone who reaches the port could otherwise rewrite what the instance sees.
 *
 * @returns undefined when allowed, else the reason it is refused.
 * @example
 * ```ts
 * controlBindRefusal('0.0.0.0', undefined); // 'listens beyond loopback (0.0.0.0) without a bearer token'
 * controlBindRefusal('127.0.0.1', undefined); // undefined
 * ```
 */
export function controlBindRefusal(host: string, token: string | undefined): string | undefined {
  if (token !== undefined && token.length > 0) return undefined;
  if (isLoopbackHost(host)) return undefined;
  return `listens beyond loopback (${host}) without a bearer token`;
}
