/**
 * The emulator's socket front: a strict, minimal HTTP/1.1 server on `node:net` that turns bytes
 * into an {@link ImdsRequest}, calls the pure {@link RequestHandler}, and writes its outcome.
 *
 * IMDS traffic is one tiny, bodiless request per connection and every response carries
 * `Connection: close`, so this front serves exactly one request per connection and measures faster
 * than `node:http` for that shape. What it does, precisely:
 *
 * **Request head** (RFC 9112 §2-5)
 * - `METHOD SP request-target SP HTTP-version`, then header fields, up to the first blank line.
 *   CRLF and bare LF line endings are both accepted; blank lines before the request line are skipped.
 *   A bare CR anywhere, or any control byte other than HTAB inside a field value, is a 400.
 * - The method must be a token; the target must be non-empty with no whitespace or control bytes
 *   (it is passed on as sent: origin or absolute form). Exactly one SP between the three parts.
 * - `HTTP/1.0` and `HTTP/1.1` are served; any other well-formed version is a 505, a malformed one 400.
 * - Header names must be tokens: a space before the colon or a folded line (obs-fold) is a 400.
 *   Values are trimmed of SP/HTAB; names are lower-cased; repeated headers keep every value in order.
 * - An HTTP/1.1 request needs exactly one `Host` header, and no request may carry two (RFC 9112 §3.2): else 400.
 * - The request's `remoteAddress` is read from the socket when first used (a system call the
 *   common request does not need), then kept; `JSON.stringify(request)` includes it.
 * - A head longer than `maxHeadBytes` is a 431, or a 414 when the request line alone does not fit;
 *   more than `maxHeaderCount` fields is a 431. A request line that is already complete and malformed
 *   is refused at once, without waiting for the rest of the head.
 *
 * **Body** (RFC 9112 §6-7): read to its end and discarded before the handler runs, so that closing
 * after the response never resets unread bytes away.
 * - `Content-Length`: digits only; repeated values must agree; else 400. Over `maxBodyBytes`: 413.
 * - `Transfer-Encoding: chunked` is decoded (bad chunk syntax: 400; data over `maxBodyBytes`: 413;
 *   trailers over `maxHeadBytes`: 431). Any other transfer coding: 501. Both headers at once, or
 *   Transfer-Encoding in an HTTP/1.0 request: 400.
 * - `Expect: 100-continue` on a request with a body gets an interim `100 Continue`.
 * - Bytes after the first request (pipelined requests) are read and ignored.
 *
 * **Response**: an {@link ImdsResponse} is written as `HTTP/1.1 <status> <reason>`, its headers
 * exactly in the given order, a blank line and its body, in one write. The handler owns every
 * header (Content-Length, Connection: close...). `delayMs > 0` holds the write back that long (the
 * timer is cleared if the connection closes first). `{ noResponse: 'reset' }` resets the connection
 * (TCP RST) without writing; `{ noResponse: 'silence' }` writes nothing and keeps the connection
 * open until the client leaves or `requestTimeoutMs` more have passed. A handler that throws gets
 * its client a 500 built by `errorResponse`, and the listener keeps serving. Requests the front
 * refuses are answered with `errorResponse(status)`.
 *
 * **Closing**: when the client sent exactly one request and nothing after it, the socket is
 * closed as soon as the kernel has taken the whole response: the kernel still delivers it, then a
 * FIN, and the server holds nothing more for that client. When the client sent more (pipelined
 * requests, junk), or for error responses, the front only ends its side (FIN) and reads and drops
 * until the client closes, because closing a socket with unread received bytes makes the kernel
 * answer with a reset that can destroy the response before the client reads it. A request body is
 * always read to its end before the handler runs, for the same reason. A client that half-closes
 * right after its request (`nc -N`) still gets its response.
 *
 * **Time and connections**: the whole request must arrive within `requestTimeoutMs` of the
 * connection opening; otherwise the client gets a 408 (or, if it sent nothing, just a close). A
 * client that closes its side mid-request gets a 400. A lingering client (see Closing) is closed
 * at the latest `requestTimeoutMs` after its connection's deadline. Past `maxConnections`, new
 * connections are closed on accept. Deadlines are checked by one sweep per listener every tenth of
 * the timeout, so a timeout fires between 1x and 1.1x `requestTimeoutMs`.
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
import { startDeadlineSweep } from './http1/deadline-sweep.js';
import { resolveLimits, type FrontLimits } from './http1/limits.js';
import { bindListener, type BoundListener } from '../net/bind.js';

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
  // After binding, errors come from accept() (EMFILE when out of descriptors); libuv already closed
  // that connection, so there is nothing to do but keep serving.
  server.on('error', ignoreAcceptError);
  return listener;
}

function ignoreAcceptError(): void {}
