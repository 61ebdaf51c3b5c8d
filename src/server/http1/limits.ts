/**
 * The bounds the socket front enforces on every connection, so that no client can make it hold
 * unbounded memory, time or sockets.
 */

/** Bounds on one connection and on the listener as a whole. */
export interface FrontLimits {
  /** Request line + header fields + the empty line, in bytes. Over it: 431, or 414 when the request line alone does not fit. */
  readonly maxHeadBytes: number;
  /** Header field lines in one request. Over it: 431. */
  readonly maxHeaderCount: number;
  /** Body bytes read and discarded (decoded bytes for chunked bodies). Over it: 413. */
  readonly maxBodyBytes: number;
  /** The whole request must have arrived this long after the connection opened; then 408 and close. */
  readonly requestTimeoutMs: number;
  /** Open connections; the kernel-accepted ones past it are closed at once (`server.maxConnections`). */
  readonly maxConnections: number;
}

/**
 * The limits used when {@link FrontLimits} fields are not given.
 *
 * @example
 * ```ts
 * await listen({ host: '127.0.0.1', port: 0, handler, errorResponse, limits: { requestTimeoutMs: 1_000 } });
 * ```
 */
export const DEFAULT_FRONT_LIMITS: FrontLimits = Object.freeze({
  // A real IMDS request head is 100-300 bytes (a path, Host, User-Agent, a 56-character token).
  // 8 KiB is nginx's default per-line buffer: ample for any real client, small enough that a
  // slow or hostile client cannot make the per-connection buffer matter.
  maxHeadBytes: 8 * 1024,
  // SDK requests carry fewer than 10 fields; Apache's LimitRequestFields default is 100.
  maxHeaderCount: 100,
  // No IMDS request has a body (the token PUT carries its TTL in a header). Bodies are only read so
  // that closing after the response does not reset the client; 64 KiB covers an accidental upload
  // of the largest user data (16 KiB) with room to spare while keeping the discard loop short.
  maxBodyBytes: 64 * 1024,
  // SDKs give up after 1 s (botocore, smithy) or 5 s (Go); a request still incomplete after 10 s is
  // a stalled or slowloris client, and holding it longer only pins a connection slot.
  requestTimeoutMs: 10_000,
  // Room for a thousand stalled slowloris connections (each held at most requestTimeoutMs) plus
  // real clients: a cap at 1,000 let such an attack lock every client out for the whole timeout.
  // A connection holds at most a maxHeadBytes buffer, so the cap bounds that memory to ~32 MiB.
  // A process whose open-file limit is lower (1024 is a common soft default) fails accept() with
  // EMFILE first; the listener survives that (libuv drops the connection), but raise `ulimit -n`
  // to actually serve this many. See docs/security.md.
  maxConnections: 4096,
});

/** Fills the missing fields of `partial` from {@link DEFAULT_FRONT_LIMITS} and checks each is a positive integer. */
export function resolveLimits(partial: Partial<FrontLimits> = {}): FrontLimits {
  const limits: FrontLimits = { ...DEFAULT_FRONT_LIMITS, ...stripUndefined(partial) };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`limits.${name} must be a positive integer, got ${String(value)}`);
    }
  }
  return limits;
}

function stripUndefined(partial: Partial<FrontLimits>): Partial<FrontLimits> {
  return Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined));
}
