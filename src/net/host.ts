/**
 * Host spellings shared by every part that binds, connects or checks an address.
 */

/**
 * A host without the brackets a URL puts around an IPv6 address (`[::1]` -> `::1`); other
 * spellings come back as they are. `node:net` and `node:http` want the bare form.
 *
 * @example
 * ```ts
 * bareHost(new URL('http://[::1]:1338').hostname); // '::1'
 * bareHost('127.0.0.1'); // '127.0.0.1'
 * ```
 */
export function bareHost(host: string): string {
  return host.length > 1 && host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

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
