/**
 * Keeps one session token and shares its refresh: concurrent callers that find no fresh token
 * all await the same in-flight request, so N parallel reads cost exactly one token `PUT`.
 *
 * A token is reused until shortly before it expires (a tenth of its lifetime, at most a minute),
 * so a long crawl never sends a token that dies in flight.
 */

/** A token and its lifetime, in the client clock's milliseconds. */
export interface CachedToken {
  readonly value: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** What the cache reads time from; the client's injectable clock. */
export interface TokenClock {
  now(): number;
}

const MAX_REFRESH_MARGIN_MS = 60_000;

export class TokenCache {
  readonly #clock: TokenClock;
  #token: CachedToken | undefined;
  #inFlight: Promise<CachedToken | undefined> | undefined;

  constructor(clock: TokenClock) {
    this.#clock = clock;
  }

  /**
   * The cached token while it is fresh; else the result of the request already in flight; else
   * the result of a new `fetch`. `fetch` resolving to `undefined` (no token to be had) is shared
   * with every waiter but not cached.
   */
  get(fetch: () => Promise<CachedToken | undefined>): Promise<CachedToken | undefined> {
    const token = this.#token;
    if (token && this.#isFresh(token)) return Promise.resolve(token);
    this.#inFlight ??= fetch()
      .then((fetched) => {
        this.#token = fetched;
        return fetched;
      })
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  /** Drops the token when it is still the cached one (another caller may have replaced it already). */
  invalidate(value: string): void {
    if (this.#token?.value === value) this.#token = undefined;
  }

  #isFresh(token: CachedToken): boolean {
    const margin = Math.min(MAX_REFRESH_MARGIN_MS, (token.expiresAt - token.issuedAt) / 10);
    return this.#clock.now() < token.expiresAt - margin;
  }
}
