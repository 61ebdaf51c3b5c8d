/**
 * The client's rules for one read, in one place:
 *
 * 1. Get a session token (cached; one shared `PUT` for concurrent callers), unless the client
 *    has fallen back to IMDSv1.
 * 2. The token request answered 403/404/405 or timed out: fall back to token-less reads, unless
 *    IMDSv1 is disabled. 400: fail. 5xx/429 or a connection error: retry.
 * 3. `GET` with the token. 200: done. 404: not found. 403: refused. 401: drop the token (or leave
 *    IMDSv1) and try once more with a new one, outside the attempt count.
 * 4. Retry 5xx, 429, timeouts and connection errors with backoff and jitter, up to `attempts`;
 *    no other 4xx is retried.
 *
 * Every exchange is bounded by the per-request timeouts and by the call's deadline
 * (`timeoutMs × (attempts + 1)`), so a call ends in bounded time whatever the peer does.
 */
import { backoffDelayMs, sleep } from './backoff.js';
import type { ImdsConfig } from './config.js';
import { Deadline } from './deadline.js';
import {
  ImdsForbiddenError,
  ImdsNotFoundError,
  ImdsResponseError,
  ImdsTimeoutError,
  ImdsTokenError,
  ImdsUnavailableError,
  type ImdsError,
} from './errors.js';
import { FALLBACK_STATUSES, describeFallback, type V1Fallback, type V1FallbackListener } from './fallback.js';
import { TokenCache, type CachedToken, type TokenClock } from './token-cache.js';
import { TransportFailure, type Transport, type TransportResponse } from './transport.js';
import {
  TOKEN_HEADER,
  TOKEN_PATH,
  TOKEN_TTL_HEADER,
  TOKEN_TTL_MAX_SECONDS,
  TOKEN_TTL_MIN_SECONDS,
} from '../wire.js';
import { USER_AGENT } from './user-agent.js';

/** What a session needs besides its settings. */
export interface SessionDependencies {
  readonly transport: Transport;
  readonly clock: TokenClock;
  readonly random: () => number;
  readonly onV1Fallback?: V1FallbackListener | undefined;
}

/**
 * A failed attempt, before it becomes a public error: the error is built only when the call
 * gives up, with the number of attempts that caller made (a shared token request fails many
 * callers at once, each at its own attempt count).
 */
class AttemptFailed {
  constructor(
    readonly retryable: boolean,
    readonly build: (attempts: number) => ImdsError,
    /** Connected, but no complete answer in time: the symptom of a token response lost to the hop limit. */
    readonly responseTimedOut = false,
  ) {}
}

/** The read was answered 401. */
class Unauthorized {
  constructor(readonly build: (attempts: number) => ImdsError) {}
}

const TOKEN_SHAPE = /^[\x21-\x7e]{1,4096}$/;
const TTL_SHAPE = /^[0-9]{1,5}$/;

export class ImdsSession {
  readonly config: ImdsConfig;
  readonly #dependencies: SessionDependencies;
  readonly #tokens: TokenCache;
  #inV1 = false;
  #lastFallback: V1Fallback | undefined;

  constructor(config: ImdsConfig, dependencies: SessionDependencies) {
    this.config = config;
    this.#dependencies = dependencies;
    this.#tokens = new TokenCache(dependencies.clock);
  }

  /** The most recent fallback to IMDSv1, if any happened. */
  get lastV1Fallback(): V1Fallback | undefined {
    return this.#lastFallback;
  }

  /** True while reads go without a token (after a fallback, until a 401 says tokens are needed). */
  get usingV1(): boolean {
    return this.#inV1;
  }

  /** `GET path`; resolves to the 200 response or rejects with an {@link ImdsError}. */
  read(path: string): Promise<TransportResponse> {
    return this.#retrying(async (deadline) => {
      const token = this.#inV1 ? undefined : await this.#tokens.get(() => this.#requestToken(deadline, true));
      const response = await this.#send('GET', path, token ? { [TOKEN_HEADER]: token.value } : {}, deadline);
      return this.#classifyRead(path, response, token);
    });
  }

  /** A session token (the cached one while fresh), never falling back. */
  token(): Promise<string> {
    return this.#retrying(async (deadline) => {
      const token = await this.#tokens.get(() => this.#requestToken(deadline, false));
      if (!token) {
        throw new AttemptFailed(
          false,
          (attempts) =>
            new ImdsTokenError('TOKEN_UNAVAILABLE', 'the metadata service issued no session token', {
              path: TOKEN_PATH,
              attempts,
            }),
        );
      }
      return token.value;
    });
  }

  async #retrying<T>(attempt: (deadline: Deadline) => Promise<T>): Promise<T> {
    const deadline = new Deadline(this.config.deadlineMs);
    let renewed = false;
    for (let attempts = 1; ; ) {
      let failure: AttemptFailed;
      try {
        return await attempt(deadline);
      } catch (error) {
        if (error instanceof Unauthorized) {
          // Once per call, and not counted: a 401 means the token expired or tokens became required.
          if (!renewed) {
            renewed = true;
            continue;
          }
          throw error.build(attempts);
        }
        if (!(error instanceof AttemptFailed)) throw error;
        failure = error;
      }
      if (!failure.retryable || attempts >= this.config.attempts) throw failure.build(attempts);
      const delay = backoffDelayMs(attempts, this.#dependencies.random);
      if (delay >= deadline.remaining()) throw failure.build(attempts);
      await sleep(delay);
      attempts++;
    }
  }

  #classifyRead(
    path: string,
    response: TransportResponse,
    token: CachedToken | undefined,
  ): TransportResponse {
    const { status } = response;
    if (status === 200) return response;
    if (status === 401) {
      if (token) {
        this.#tokens.invalidate(token.value);
        throw new Unauthorized(
          (attempts) =>
            new ImdsTokenError(
              'TOKEN_REJECTED',
              'the metadata service rejected a fresh session token (401)',
              { status, path, attempts },
            ),
        );
      }
      // Reading without a token was refused: the instance requires IMDSv2 now; ask for a token again.
      this.#inV1 = false;
      const why = this.#lastFallback ? `; ${describeFallback(this.#lastFallback)}` : '';
      throw new Unauthorized(
        (attempts) =>
          new ImdsTokenError(
            'TOKEN_UNAVAILABLE',
            `the metadata service requires a session token (401) and none could be obtained${why}`,
            {
              status,
              path,
              attempts,
            },
          ),
      );
    }
    if (status === 404)
      throw new AttemptFailed(false, (attempts) => new ImdsNotFoundError(path, { attempts }));
    if (status === 403)
      throw new AttemptFailed(false, (attempts) => new ImdsForbiddenError({ path, attempts }));
    throw statusFailure(path, status);
  }

  async #requestToken(deadline: Deadline, mayFallBack: boolean): Promise<CachedToken | undefined> {
    const ttl = this.config.tokenTtlSeconds;
    const issuedAt = this.#dependencies.clock.now();
    let response: TransportResponse;
    try {
      response = await this.#send('PUT', TOKEN_PATH, { [TOKEN_TTL_HEADER]: String(ttl) }, deadline);
    } catch (error) {
      const timedOut = error instanceof AttemptFailed && error.responseTimedOut;
      if (timedOut && mayFallBack && this.config.v1Fallback)
        return this.#fallBack({ reason: 'timeout', at: this.#dependencies.clock.now() });
      throw error;
    }
    const { status } = response;
    if (status === 200) return this.#parseToken(response, issuedAt);
    if (FALLBACK_STATUSES.has(status)) {
      if (mayFallBack && this.config.v1Fallback)
        return this.#fallBack({ reason: 'status', status, at: this.#dependencies.clock.now() });
      throw new AttemptFailed(false, (attempts) =>
        mayFallBack
          ? new ImdsTokenError(
              'V1_FALLBACK_DISABLED',
              `the token request was refused (${status}) and IMDSv1 fallback is disabled`,
              { status, path: TOKEN_PATH, attempts },
            )
          : new ImdsTokenError('TOKEN_UNAVAILABLE', `the token request was refused (${status})`, {
              status,
              path: TOKEN_PATH,
              attempts,
            }),
      );
    }
    if (status === 400) {
      throw new AttemptFailed(
        false,
        (attempts) =>
          new ImdsTokenError(
            'TOKEN_REQUEST_REJECTED',
            `the token request was refused as invalid (400); TTL asked: ${ttl} s`,
            { status, path: TOKEN_PATH, attempts },
          ),
      );
    }
    throw statusFailure(TOKEN_PATH, status);
  }

  #parseToken(response: TransportResponse, issuedAt: number): CachedToken {
    // Bytes as characters one for one; any byte outside the token's range fails TOKEN_SHAPE. (A
    // Buffer view, not a latin1 TextDecoder, whose converter costs `imds get` 0.15 ms to create.)
    const body = response.body;
    const value = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1');
    if (!TOKEN_SHAPE.test(value)) {
      // Says nothing about the bytes: they might be a token with one bad character.
      throw new AttemptFailed(
        false,
        (attempts) =>
          new ImdsResponseError('MALFORMED_RESPONSE', 'the token response is not a token', {
            status: 200,
            path: TOKEN_PATH,
            attempts,
          }),
      );
    }
    const echoed = response.headers[TOKEN_TTL_HEADER];
    const echoedTtl = echoed !== undefined && TTL_SHAPE.test(echoed) ? Number(echoed) : undefined;
    const ttl =
      echoedTtl !== undefined && echoedTtl >= TOKEN_TTL_MIN_SECONDS && echoedTtl <= TOKEN_TTL_MAX_SECONDS
        ? echoedTtl
        : this.config.tokenTtlSeconds;
    // Measured from before the request was sent, so the client never believes a token lives longer than it does.
    return { value, issuedAt, expiresAt: issuedAt + ttl * 1000 };
  }

  #fallBack(fallback: V1Fallback): undefined {
    this.#inV1 = true;
    this.#lastFallback = fallback;
    try {
      this.#dependencies.onV1Fallback?.(fallback);
    } catch {
      // A listener's bug must not turn a successful read into a failure.
    }
    return undefined;
  }

  async #send(
    method: 'GET' | 'PUT',
    path: string,
    headers: Record<string, string>,
    deadline: Deadline,
  ): Promise<TransportResponse> {
    const remaining = Math.floor(deadline.remaining());
    if (remaining <= 0) {
      throw new AttemptFailed(
        false,
        (attempts) => new ImdsTimeoutError('response', this.config.deadlineMs, { path, attempts }),
      );
    }
    const timeoutMs = Math.min(this.config.timeoutMs, remaining);
    try {
      return await this.#dependencies.transport({
        method,
        url: this.config.endpoint + path,
        headers: { 'user-agent': USER_AGENT, ...headers },
        connectTimeoutMs: Math.min(this.config.connectTimeoutMs, timeoutMs),
        timeoutMs,
        maxBodyBytes: this.config.maxBodyBytes,
      });
    } catch (error) {
      throw transportFailure(path, error);
    }
  }
}

function statusFailure(path: string, status: number): AttemptFailed {
  if (status === 429 || (status >= 500 && status <= 599)) {
    return new AttemptFailed(
      true,
      (attempts) => new ImdsUnavailableError(`answered ${status}`, { status, path, attempts }),
    );
  }
  return new AttemptFailed(
    false,
    (attempts) =>
      new ImdsResponseError('UNEXPECTED_STATUS', `unexpected status ${status}`, { status, path, attempts }),
  );
}

function transportFailure(path: string, error: unknown): AttemptFailed {
  if (!(error instanceof TransportFailure)) {
    // A custom transport's own error: kept as the cause, retried like a connection error.
    return new AttemptFailed(
      true,
      (attempts) => new ImdsUnavailableError('the transport failed', { path, attempts, cause: error }),
    );
  }
  const cause = { errno: error.errno, kind: error.kind };
  switch (error.kind) {
    case 'connect-timeout':
      return new AttemptFailed(
        true,
        (attempts) => new ImdsTimeoutError('connect', error.limit ?? 0, { path, attempts, cause }),
      );
    case 'response-timeout':
      return new AttemptFailed(
        true,
        (attempts) => new ImdsTimeoutError('response', error.limit ?? 0, { path, attempts, cause }),
        true,
      );
    case 'body-too-large':
      return new AttemptFailed(
        false,
        (attempts) =>
          new ImdsResponseError(
            'BODY_TOO_LARGE',
            `response body larger than ${error.limit ?? '?'} bytes (maxBodyBytes)`,
            { path, attempts, cause },
          ),
      );
    case 'connection':
      return new AttemptFailed(
        true,
        (attempts) =>
          new ImdsUnavailableError(`connection failed (${error.errno ?? 'unknown'})`, {
            path,
            attempts,
            cause,
          }),
      );
  }
}
