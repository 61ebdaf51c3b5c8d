/**
 * What the figures ask of a load generator, whichever one runs it (wrk, or the Node fallback).
 * Every request goes on a new connection, because the server closes each one after its answer.
 */

/** The traffic to send. */
export type LoadScenario =
  /**
   * GET the URL's path with `token` (an empty one: no token header, an IMDSv1 read); `counted` runs
   * the per-response callback too (figure 2's GET-only rate).
   */
  | { readonly kind: 'get'; readonly token: string; readonly counted?: boolean }
  /** Token PUT, then a GET with that token, on separate connections. */
  | { readonly kind: 'pairs' }
  /** Token PUTs. */
  | { readonly kind: 'puts' };

export interface LoadOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly scenario: LoadScenario;
  /** Command prefix for the generator process (CPU pinning). */
  readonly prefix: readonly string[];
  /**
   * Send `Connection: close` on every request. This emulator closes every connection itself (as
   * IMDS does); a server that keeps connections open (the Go peer) must be asked, so that both
   * pay for one connection per request.
   */
  readonly connectionClose?: boolean;
}

export interface LoadResult {
  /** Responses completed (any status). */
  readonly requests: number;
  readonly seconds: number;
  /** Failed connects, reads, writes and timeouts, and responses with status >= 400. */
  readonly errors: { readonly socket: number; readonly status: number };
  /** Per request, from the request's first byte written to the response's last byte read. */
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly mean: number;
    readonly max: number;
  };
  /** Counters of the per-response scripts (`ok_puts`, `ok_gets`, `bad`); empty for the others. */
  readonly counters: Readonly<Record<string, number>>;
}

/** A load generator in a separate process. */
export interface LoadGenerator {
  /** For the table: `wrk 4.1.0`. */
  readonly name: string;
  run(options: LoadOptions): Promise<LoadResult>;
}
