/**
 * The emulator's socket front: a strict, minimal HTTP/1.1 server on `node:net` that turns bytes
 * into an {@link ImdsRequest}, calls the pure {@link RequestHandler}, and writes its outcome.
 *
 * IMDS traffic is one tiny, bodiless request per connection and every response carries
 * `Connection: close`, so the front serves exactly one request per connection. What it accepts,
 * refuses and writes is described in `http1/connection.ts`, next to the code that does it.
 *
 * **URL**: `url` is `http://<address>:<port>` with the bound address (IPv6 in brackets); the
 * wildcard addresses `0.0.0.0` and `::` become `127.0.0.1` and `[::1]` so the URL is usable by a
 * local client. The port is always written, even 80.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9112
 */
import net from 'node:net';
import type { ImdsResponse, RequestHandler } from './exchange.js';
import { acceptConnection, type FrontContext, type Http1Connection } from './http1/connection.js';
import type { LocalEnd } from './http1/socket-request.js';
import { startDeadlineSweep } from './http1/deadline-sweep.js';
import { resolveLimits, type FrontLimits } from './http1/limits.js';
import { bindListener, type BoundListener } from '../net/bind.js';
import { isWildcardAddress } from '../net/listener-url.js';

export { DEFAULT_FRONT_LIMITS, type FrontLimits } from './http1/limits.js';
export { ListenError } from '../net/listen-error.js';

/** What {@link listen} serves, where, and within which bounds. */
export interface ListenOptions {
  /** The address to bind: `127.0.0.1`, `::1`, `0.0.0.0`... */
  host: string;
  /** The TCP port; 0 picks a free one (read it back from {@link RunningListener.port}). */
  port: number;
  handler: RequestHandler;
  /** Builds the error response the front sends for requests it cannot parse (400, 408, 413, 414, 431, 500, 501, 505). */
  errorResponse: (status: number) => ImdsResponse;
  /** Overrides of {@link DEFAULT_FRONT_LIMITS}. */
  limits?: Partial<FrontLimits>;
}

/** A listener that is accepting connections; `close()` destroys the open connections. */
export type RunningListener = BoundListener;

/**
 * Starts serving `handler` on `host:port`.
 *
 * @throws {ListenError} (as a rejection) when the address cannot be bound, e.g. `code: 'EADDRINUSE'`.
 * @throws {RangeError} when a limit is not a positive integer.
 * @example
 * ```ts
 * const listener = await listen({ host: '127.0.0.1', port: 0, handler, errorResponse });
 * const response = await fetch(`${listener.url}/latest/meta-data/`);
 * await listener.close();
 * ```
 */
export async function listen(options: ListenOptions): Promise<RunningListener> {
  const limits = resolveLimits(options.limits);
  const context: FrontContext = {
    handler: options.handler,
    errorResponse: options.errorResponse,
    limits,
    connections: new Set<Http1Connection>(),
  };
  // allowHalfOpen: a client that sends its request and then shuts down its side (nc -N, some
  // health checks) must still get the response, even a delayed one.
  const server = net.createServer({ allowHalfOpen: true }, (socket) => acceptConnection(context, socket));
  server.maxConnections = limits.maxConnections;
  const stopSweep = startDeadlineSweep(context.connections, limits.requestTimeoutMs);
  let listener: BoundListener;
  try {
    listener = await bindListener(server, options.host, options.port, () => {
      stopSweep();
      for (const connection of context.connections) connection.destroy();
    });
  } catch (error) {
    stopSweep();
    throw error;
  }
  context.localEnd = specificLocalEnd(server.address());
  // After binding, errors come from accept() (EMFILE when out of descriptors); libuv already closed
  // that connection, so there is nothing to do but keep serving.
  server.on('error', ignoreAcceptError);
  return listener;
}

function ignoreAcceptError(): void {}

/**
 * The bound address and port, when every connection is accepted on them: not for the wildcards
 * (`0.0.0.0`, `::`), whose connections each have the address the client dialled.
 */
export function specificLocalEnd(bound: net.AddressInfo | string | null): LocalEnd | undefined {
  if (bound === null || typeof bound === 'string' || isWildcardAddress(bound.address)) return undefined;
  return { address: bound.address, port: bound.port };
}
