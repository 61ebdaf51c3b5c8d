import http from 'node:http';
import { bindListener, type BoundListener } from '../net/bind.js';
import { controlBindRefusal } from '../net/bind-policy.js';
import { ControlBindError } from './control-bind-error.js';
import { isAuthorized } from './auth-policy.js';
import { DASHBOARD_PATH, dashboardPage } from './dashboard-page.js';
import { handleControl, type ControlRequest, type ControlResponse } from './control-routes.js';
import type { Controller } from './controller.js';
import { type ControlGuardPolicy, guardControlRequest } from './request-guard.js';

export { ControlBindError };

/** Where the control API listens and who may use it. */
export interface ControlServerOptions {
  readonly controller?: Controller;
  /**
   * Answers requests instead of `handleControl` over `controller` (a fleet's control API, the
   * proxy's `/requests` and `/audit`); authorization and the dashboard stay the same.
   */
  readonly handle?: (request: ControlRequest) => ControlResponse;
  /** Loopback (`127.0.0.1`) unless told otherwise. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Required beyond loopback; when set, every request must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Extra `Host` names accepted besides IP literals and `localhost` (see {@link guardControlRequest}). */
  readonly allowedHosts?: readonly string[];
  /** Web origins allowed to call the API (and sent CORS headers); none by default. */
  readonly allowedOrigins?: readonly string[];
  /** Connection cap and timeouts; defaults in {@link DEFAULT_CONTROL_LIMITS}. */
  readonly limits?: Partial<ControlLimits>;
}

/** The control listener's bounds, as the metadata port has its own (`DEFAULT_FRONT_LIMITS`). */
export interface ControlLimits {
  /** Connections past this are closed on accept. */
  readonly maxConnections: number;
  /** A connection with no traffic for this long is closed (idle keep-alive ones included). */
  readonly idleTimeoutMs: number;
  /** The whole request (head and body) must arrive within this. */
  readonly requestTimeoutMs: number;
}

/**
 * 64 connections: the API's users are a CLI, a test fixture or a dashboard, a handful at a time.
 * 10 s, like the metadata port's request timeout.
 */
export const DEFAULT_CONTROL_LIMITS: ControlLimits = Object.freeze({
  maxConnections: 64,
  idleTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
});

/** A running control API. */
export type RunningControlServer = BoundListener;

const MAX_BODY_BYTES = 64 * 1024;

/**
 * Starts the control API on its own listener (never the metadata port, so the emulated service
 * stays exact). JSON over HTTP; see docs/control-api.md.
 *
 * @throws {ControlBindError} before binding, when `host` is beyond loopback and there is no token.
 * @throws {ListenError} when the address cannot be bound.
 * @example
 * ```ts
 * const control = await startControlServer({ controller: new Controller(emulator), port: 0 });
 * await fetch(`${control.url}/scenarios`, {
 *   method: 'POST',
 *   headers: { 'Content-Type': 'application/json' }, // required: see guardControlRequest
 *   body: JSON.stringify({ type: 'rebalance-recommendation' }),
 * });
 * ```
 */
export async function startControlServer(options: ControlServerOptions): Promise<RunningControlServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token === '' ? undefined : options.token;
  if (controlBindRefusal(host, token)) throw new ControlBindError(host);
  const { controller } = options;
  const handle =
    options.handle ??
    (controller ? (request: ControlRequest) => handleControl(request, controller) : undefined);
  if (!handle) throw new TypeError('startControlServer needs a controller or a handle function');
  const limits = { ...DEFAULT_CONTROL_LIMITS, ...options.limits };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1 || (name !== 'maxConnections' && value > 2 ** 31 - 1))
      throw new RangeError(
        `control limits.${name}: expected a positive integer${name === 'maxConnections' ? '' : ' of milliseconds below 2^31'}, got ${value}`,
      );
  }
  const policy: ControlGuardPolicy = {
    allowedHosts: (options.allowedHosts ?? []).map((name) => name.toLowerCase()),
    allowedOrigins: (options.allowedOrigins ?? []).map((origin) => origin.toLowerCase()),
  };
  const server = http.createServer(
    { connectionsCheckingInterval: Math.min(1_000, limits.requestTimeoutMs) },
    (request, response) => {
      serve(request, response, handle, token, policy).catch(() => {
        if (!response.headersSent)
          send(response, {
            status: 500,
            body: { error: 'internal', message: 'the control API failed on this request' },
          });
        else response.destroy();
      });
    },
  );
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = Math.min(5_000, limits.requestTimeoutMs);
  server.keepAliveTimeout = Math.min(5_000, limits.idleTimeoutMs);
  server.maxConnections = limits.maxConnections;
  // A socket with no traffic for this long is destroyed (http.Server's socket timeout).
  server.timeout = limits.idleTimeoutMs;
  const port = options.port ?? 0;
  return bindListener(server, host, port, () => server.closeAllConnections());
}

/** The request target as a URL when it is origin-form (`/path?query`), else undefined. */
function originFormUrl(target: string | undefined): URL | undefined {
  if (!target?.startsWith('/') || target.startsWith('//')) return undefined;
  try {
    return new URL(target, 'http://control');
  } catch {
    return undefined;
  }
}

async function serve(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  handle: (request: ControlRequest) => ControlResponse,
  token: string | undefined,
  policy: ControlGuardPolicy,
): Promise<void> {
  // Every route, present and future, passes this gate first (see guardControlRequest).
  const decision = guardControlRequest(request.method ?? 'GET', request.headers, policy);
  if (decision.refuse) {
    request.resume();
    const { status, error, message } = decision.refuse;
    send(response, { status, body: { error, message }, headers: { Connection: 'close' } });
    return;
  }
  const cors = decision.headers;
  if (request.method === 'OPTIONS' && cors['Access-Control-Allow-Origin'] !== undefined) {
    request.resume();
    send(response, { status: 204, headers: cors });
    return;
  }
  // A browser cannot put a header on a page load: the dashboard takes the token as ?token= and
  // its script sends it as a bearer token on every API call.
  const pageUrl = originFormUrl(request.url);
  const pageToken = pageUrl?.pathname === DASHBOARD_PATH ? pageUrl.searchParams.get('token') : null;
  const authorization = request.headers.authorization ?? (pageToken ? `Bearer ${pageToken}` : undefined);
  if (!isAuthorized(authorization, token)) {
    request.resume();
    send(response, {
      status: 401,
      body: { error: 'unauthorized', message: 'a bearer token is required: Authorization: Bearer <token>' },
      headers: { ...cors, 'WWW-Authenticate': 'Bearer realm="imds-control"' },
    });
    return;
  }
  const body = await readBody(request);
  if (body === undefined) {
    send(response, {
      status: 413,
      body: { error: 'too-large', message: `the body is limited to ${MAX_BODY_BYTES} bytes` },
      headers: cors,
    });
    return;
  }
  if (pageUrl?.pathname === DASHBOARD_PATH && (request.method === 'GET' || request.method === 'HEAD')) {
    // A foreign Host (DNS rebinding) never gets here: the guard above refuses it for every route.
    const page = dashboardPage();
    response.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(page)),
      'Cache-Control': 'no-store',
      // The page runs only its own inline script and talks only to this listener.
      'Content-Security-Policy':
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
      'X-Frame-Options': 'DENY',
    });
    response.end(request.method === 'HEAD' ? undefined : page);
    return;
  }
  let url: URL;
  let segments: string[];
  try {
    // Only an origin-form target (`/path?query`) is valid here; anything else would be resolved
    // against a base, or throw, or name another host.
    if (!request.url?.startsWith('/') || request.url.startsWith('//')) throw new TypeError('not origin-form');
    url = new URL(request.url, 'http://control');
    segments = url.pathname
      .split('/')
      .filter((segment) => segment.length > 0)
      .map(decodeURIComponent);
  } catch {
    send(response, {
      status: 400,
      body: {
        error: 'invalid-request',
        message: 'the request target must be a path starting with a single / in valid percent-encoding',
      },
      headers: cors,
    });
    return;
  }
  const answer = handle({
    method: request.method ?? 'GET',
    segments,
    query: url.searchParams,
    contentType: request.headers['content-type'],
    body,
  });
  send(response, { ...answer, headers: { ...cors, ...answer.headers } });
}

function readBody(request: http.IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () =>
      resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', reject);
  });
}

function send(response: http.ServerResponse, answer: ControlResponse): void {
  const text = answer.body === undefined ? '' : `${JSON.stringify(answer.body, null, 2)}\n`;
  response.writeHead(answer.status, {
    ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...answer.headers,
  });
  response.end(text);
}
