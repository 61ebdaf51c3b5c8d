/**
 * Host spellings shared by every part that binds, connects or checks an address.
 */

/**
 * `host:port` as a reader expects it, IPv6 in brackets (`[::1]:1338`).
 *
 * @example
 * ```ts
 * hostPort('::1', 1338); // '[::1]:1338'
 * ```
 */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
