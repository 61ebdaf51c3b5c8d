import net from 'node:net';

/**
 * Who, besides the local user's own tools, may talk to the control API. A server on loopback is
 * reachable by every web page the user opens: a page can send "simple" cross-origin requests
 * (no preflight) and, after DNS rebinding, read the answers. The guard closes both doors the way
 * local development servers do (Vite `server.allowedHosts`, webpack-dev-server `allowedHosts`).
 */
export interface ControlGuardPolicy {
  /**
   * Extra names accepted in `Host` besides IP literals, `localhost` and `*.localhost` (for a
   * control API reached through a name, such as a container's service name). Lower case, no port.
   */
  readonly allowedHosts: readonly string[];
  /**
   * Origins (`scheme://host[:port]`) whose pages may call the API; they also get CORS headers.
   * Empty by default: no page on another origin may call it.
   */
  readonly allowedOrigins: readonly string[];
}

/** The request headers the guard reads (Node's lower-cased `IncomingHttpHeaders` fits). */
export interface GuardedHeaders {
  readonly host?: string | undefined;
  readonly origin?: string | undefined;
  readonly 'sec-fetch-site'?: string | undefined;
  readonly 'content-type'?: string | undefined;
  readonly 'content-length'?: string | undefined;
  readonly 'transfer-encoding'?: string | undefined;
}

/** A refusal: status, a stable error code and a message naming the header. */
export interface GuardRefusal {
  readonly status: 403 | 415;
  readonly error: 'forbidden-host' | 'forbidden-origin' | 'unsupported-media-type';
  readonly message: string;
}

/** What to do with a request: refuse it, or serve it with these extra response headers. */
export type GuardDecision =
  | { readonly refuse: GuardRefusal }
  | { readonly refuse?: undefined; readonly headers: Readonly<Record<string, string>> };

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** The control API's methods, as a preflight for an allowed origin lists them. */
const CORS_METHODS = 'GET, POST, PUT, PATCH, DELETE';

/** `host[:port]` or `[v6]:port` → the host alone, lower case; undefined when it does not parse. */
export function hostNameOf(hostHeader: string): string | undefined {
  const text = hostHeader.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(text);
  if (bracketed) return net.isIPv6(bracketed[1] as string) ? (bracketed[1] as string) : undefined;
  const plain = /^([a-z0-9._-]+)(?::\d{1,5})?$/.exec(text);
  return plain ? (plain[1] as string).replace(/\.$/, '') : undefined;
}

/**
 * Whether a `Host` value names this machine in a way DNS rebinding cannot forge: an IP literal
 * (a rebinding attack needs a name it controls), `localhost` or a `.localhost` name (resolved
 * locally, RFC 6761), or a name the user allowed.
 */
export function isAllowedHost(hostHeader: string | undefined, allowedHosts: readonly string[]): boolean {
  if (hostHeader === undefined) return false;
  const name = hostNameOf(hostHeader);
  if (name === undefined) return false;
  if (net.isIP(name) !== 0) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return allowedHosts.includes(name);
}

/** `application/json`, with or without parameters (`; charset=utf-8`). */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const media = contentType.split(';')[0]?.trim().toLowerCase();
  return media === 'application/json';
}

function hasBody(headers: GuardedHeaders): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length.trim() !== '0';
}

/**
 * The one gate every control-listener route goes through, before authorization, routing and
 * reading the body. New routes (a dashboard page, say) inherit it by being served behind
 * `startControlServer`; nothing else decides who may call the API.
 *
 * In order:
 * 1. `Host` must be an IP literal, `localhost`/`*.localhost` or an allowed name (403 naming
 *    `Host`): this defeats DNS rebinding, where a page's own name is pointed at 127.0.0.1.
 * 2. An `Origin` must be this listener's own origin or an allowed one, and `Sec-Fetch-Site` must
 *    not be `cross-site`/`same-site` unless the origin is allowed (403 naming the header): this
 *    refuses pages on other origins, including other ports of localhost.
 * 3. A request with a body must say `Content-Type: application/json` (415): a page can only send
 *    such a body after a CORS preflight, and the preflight of a page not allowed is refused by 2.
 *
 * CORS headers are sent only for an origin the user allowed.
 *
 * @example
 * ```ts
 * guardControlRequest('POST', { host: 'attacker.example:9000' }, { allowedHosts: [], allowedOrigins: [] });
 * // { refuse: { status: 403, error: 'forbidden-host', ... } }
 * ```
 * @see ../../docs/security.md
 */
export function guardControlRequest(
  method: string,
  headers: GuardedHeaders,
  policy: ControlGuardPolicy,
): GuardDecision {
  const host = headers.host;
  if (!isAllowedHost(host, policy.allowedHosts)) {
    return {
      refuse: {
        status: 403,
        error: 'forbidden-host',
        message: `the Host header ${host === undefined ? 'is missing' : `'${host.slice(0, 100)}'`} is not allowed: the control API answers to IP addresses, localhost and names given with --control-allowed-host`,
      },
    };
  }
  const origin = headers.origin;
  const allowedOrigin = origin !== undefined && policy.allowedOrigins.includes(origin.toLowerCase());
  if (origin !== undefined && !allowedOrigin && !isSameOrigin(origin, host as string)) {
    return {
      refuse: {
        status: 403,
        error: 'forbidden-origin',
        message: `the Origin header '${origin.slice(0, 100)}' is not allowed: web pages may not call the control API unless their origin is given with --control-allowed-origin`,
      },
    };
  }
  const site = headers['sec-fetch-site']?.toLowerCase();
  if ((site === 'cross-site' || site === 'same-site') && !allowedOrigin) {
    return {
      refuse: {
        status: 403,
        error: 'forbidden-origin',
        message: `the Sec-Fetch-Site header '${site}' is not allowed: web pages may not call the control API unless their origin is given with --control-allowed-origin`,
      },
    };
  }
  if (method !== 'OPTIONS' && hasBody(headers) && !isJsonContentType(headers['content-type'])) {
    const given = headers['content-type'];
    return {
      refuse: {
        status: 415,
        error: 'unsupported-media-type',
        message: `the Content-Type header must be application/json for a request with a body${given === undefined ? ' (it is missing)' : `, got '${given.slice(0, 100)}'`}`,
      },
    };
  }
  if (!allowedOrigin) return { headers: NO_HEADERS };
  return {
    headers: {
      'Access-Control-Allow-Origin': origin as string,
      'Access-Control-Allow-Methods': CORS_METHODS,
      'Access-Control-Allow-Headers': 'Authorization, Content-Type',
      'Access-Control-Max-Age': '600',
      Vary: 'Origin',
    },
  };
}

/** A page served by the control listener itself (a same-origin dashboard) sends its own origin. */
function isSameOrigin(origin: string, host: string): boolean {
  return origin.toLowerCase() === `http://${host.trim().toLowerCase()}`;
}
