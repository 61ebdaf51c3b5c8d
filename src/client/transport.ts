/**
 * The seam between the client's rules (tokens, retries, fallback) and the socket. The client
 * calls a {@link Transport} for every exchange; the default is `socketTransport`, and tests
 * wrap it to watch or police every request.
 */

/** One HTTP exchange to make, with its limits. */
export interface TransportRequest {
  readonly method: 'GET' | 'PUT';
  /** Absolute URL: the endpoint's origin and the request path. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Time allowed to open the connection. */
  readonly connectTimeoutMs: number;
  /** Time allowed for the whole exchange, from the first byte sent to the last byte received. */
  readonly timeoutMs: number;
  /** Bodies larger than this fail with a `body-too-large` {@link TransportFailure}. */
  readonly maxBodyBytes: number;
}

/** The complete response: status, lower-cased headers and every body byte. */
export interface TransportResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
}

/** Sends one request; rejects with a {@link TransportFailure} when no complete response arrives. */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** How an exchange failed below HTTP. */
export type TransportFailureKind = 'connect-timeout' | 'response-timeout' | 'connection' | 'body-too-large';

/**
 * A failed exchange. It carries the socket's error code (`ECONNREFUSED`) but never a header or
 * body, so the token and any secret stay out of it.
 */
export class TransportFailure extends Error {
  override readonly name = 'TransportFailure';
  readonly kind: TransportFailureKind;
  /** The system error code when there was one (`ECONNREFUSED`, `ECONNRESET`). */
  readonly errno: string | undefined;
  /** The limit that was exceeded: milliseconds for timeouts, bytes for `body-too-large`. */
  readonly limit: number | undefined;

  constructor(kind: TransportFailureKind, message: string, fields: { errno?: string; limit?: number } = {}) {
    super(message);
    this.kind = kind;
    this.errno = fields.errno;
    this.limit = fields.limit;
  }
}

/** The failures both transports report in the same words, built in one place. */
export const failures = {
  connectTimeout: (ms: number) =>
    new TransportFailure('connect-timeout', `no connection within ${ms} ms`, { limit: ms }),
  responseTimeout: (ms: number) =>
    new TransportFailure('response-timeout', `no complete response within ${ms} ms`, { limit: ms }),
  bodyTooLarge: (bytes: number) =>
    new TransportFailure('body-too-large', `response body larger than ${bytes} bytes`, { limit: bytes }),
  cutShort: () =>
    new TransportFailure('connection', 'connection closed before the response was complete', {
      errno: 'ECONNRESET',
    }),
} as const;
