import http from 'node:http';
import { bindListener, type BoundListener } from '../net/bind.js';
import { controlBindRefusal } from '../net/bind-policy.js';
import { isAuthorized } from './auth-policy.js';
import { isLoopbackHost } from '../net/loopback.js';
import { bareHost } from '../wire.js';
import { DASHBOARD_PATH, dashboardPage } from './dashboard-page.js';
import { handleControl, type ControlRequest, type ControlResponse } from './control-routes.js';
import type { Controller } from './controller.js';

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
}

/** A running control API. */
export type RunningControlServer = BoundListener;

/** The control API was asked to listen beyond loopback without a token. */
export class ControlBindError extends Error {
  override readonly name = 'ControlBindError';
  constructor(readonly host: string) {
    super(
      `the control API ${controlBindRefusal(host, undefined)}: give it a bearer token or keep it on 127.0.0.1`,
    );
  }
}

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
 * await fetch(`${control.url}/scenarios`, { method: 'POST', body: JSON.stringify({ type: 'rebalance-recommendation' }) });
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
  const server = http.createServer((request, response) => {
    serve(request, response, handle, token).catch(() => {
      if (!response.headersSent)
        send(response, {
          status: 500,
          body: { error: 'internal', message: 'the control API failed on this request' },
        });
      else response.destroy();
    });
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  const port = options.port ?? 0;
  return bindListener(server, host, port, () => server.closeAllConnections());
}

async function serve(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  handle: (request: ControlRequest) => ControlResponse,
  token: string | undefined,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://control');
  // A browser cannot put a header on a page load: the dashboard takes the token as ?token= and
  // its script sends it as a bearer token on every API call.
  const pageToken = url.pathname === DASHBOARD_PATH ? url.searchParams.get('token') : null;
  const authorization = request.headers.authorization ?? (pageToken ? `Bearer ${pageToken}` : undefined);
  if (!isAuthorized(authorization, token)) {
    request.resume();
    send(response, {
      status: 401,
      body: { error: 'unauthorized', message: 'a bearer token is required: Authorization: Bearer <token>' },
      headers: { 'WWW-Authenticate': 'Bearer realm="imds-control"' },
    });
    return;
  }
  const body = await readBody(request);
  if (body === undefined) {
    send(response, {
      status: 413,
      body: { error: 'too-large', message: `the body is limited to ${MAX_BODY_BYTES} bytes` },
    });
    return;
  }
  if (url.pathname === DASHBOARD_PATH && (request.method === 'GET' || request.method === 'HEAD')) {
    if (!pageHostAllowed(request.headers.host, request.socket.localAddress)) {
      request.resume();
      send(response, {
        status: 403,
        body: {
          error: 'forbidden-host',
          message: 'the dashboard answers only to a loopback or bound-address Host',
        },
      });
      return;
    }
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
  let segments: string[];
  try {
    segments = url.pathname
      .split('/')
      .filter((segment) => segment.length > 0)
      .map(decodeURIComponent);
  } catch {
    send(response, {
      status: 400,
      body: { error: 'invalid-request', message: 'the path is not valid percent-encoding' },
    });
    return;
  }
  const controlRequest: ControlRequest = {
    method: request.method ?? 'GET',
    segments,
    query: url.searchParams,
    contentType: request.headers['content-type'],
    body,
  };
  send(response, handle(controlRequest));
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

/**
 * DNS rebinding: a page from another site that makes its name resolve to 127.0.0.1 would read the
 * dashboard under its own origin. Only a Host naming loopback or the listener's own address is
 * served. (The control API's routes get the same check from the API guard.)
 */
function pageHostAllowed(host: string | undefined, localAddress: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.replace(/:\d+$/, '');
  if (isLoopbackHost(name)) return true;
  const bare = bareHost(name);
  return localAddress !== undefined && (bare === localAddress || `::ffff:${bare}` === localAddress);
}
