/**
 * The plain request and response objects that pass between the socket front and the pure handler.
 * The front parses bytes into an {@link ImdsRequest}; the handler answers with an
 * {@link ImdsResponse} whose headers are complete and in wire order, so the front only serializes.
 */

/** One parsed HTTP request, as the handler sees it. */
export interface ImdsRequest {
  /** The method token exactly as sent (case-sensitive, as HTTP defines it). */
  readonly method: string;
  /** The request-target as sent: origin form (`/latest/...?q`) or absolute form (`http://host/...`). */
  readonly target: string;
  /** Header values by lower-cased name; a repeated header keeps every value, in order. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  /** The peer's address, for per-client faults and the request log. */
  readonly remoteAddress: string;
  /** Both ends of the connection, for finding the calling process; absent for in-process requests. */
  connectionEnds?(): ConnectionEnds | undefined;
}

/** Both ends of an accepted TCP connection, as the server's socket reports them. */
export interface ConnectionEnds {
  readonly peerAddress: string;
  readonly peerPort: number;
  readonly localAddress: string;
  readonly localPort: number;
}

/** A complete response: status, every header in wire order, and the body bytes to write. */
export interface ImdsResponse {
  readonly status: number;
  /** The reason phrase when it is not the standard one (the real service says `405 Not Allowed`). */
  readonly reason?: string;
  /** The status line's protocol version; the real service answers user-data as `HTTP/1.0`. */
  readonly httpVersion?: '1.0' | '1.1';
  /** Every header to send, in order, including Content-Length, Date and Connection. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Bytes after the header block; empty for HEAD even when Content-Length is not zero. */
  readonly body: Uint8Array;
}

/** Builds an {@link ImdsRequest} from a plain header record; handy in tests. */
export function makeRequest(
  method: string,
  target: string,
  headers: Record<string, string | readonly string[]> = {},
  remoteAddress = '127.0.0.1',
): ImdsRequest {
  const map = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    const values = typeof value === 'string' ? [value] : [...value];
    map.set(key, [...(map.get(key) ?? []), ...values]);
  }
  return { method, target, headers: map, remoteAddress };
}

/**
 * What the socket front does instead of answering, for emulated faults:
 * `reset` closes the connection with no response (a throttled service dropping it);
 * `silence` never answers and leaves the client to time out (a token response lost to the hop limit).
 */
export interface NoResponse {
  readonly noResponse: 'reset' | 'silence';
}

/** The handler's outcome: a response, optionally held back `delayMs` milliseconds, or no response at all. */
export type HandlerOutcome = (ImdsResponse & { readonly delayMs?: number }) | NoResponse;

/** The function a socket front serves. It never throws for any request. */
export type RequestHandler = (request: ImdsRequest) => HandlerOutcome;

/** True when the outcome is a fault with no response to write. */
export function isNoResponse(outcome: HandlerOutcome): outcome is NoResponse {
  return 'noResponse' in outcome;
}
