/**
 * The client's typed errors. Every error is an {@link ImdsError} with a stable `name` and `code`,
 * the HTTP `status` when there was one, the metadata `path` asked for and the number of `attempts`
 * made, so callers branch on fields, never on messages.
 *
 * Messages are built only from paths, statuses, codes and settings: never from a header or a
 * body, so no message (nor any `cause`) can carry a session token or a secret key.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
 */

/** Stable machine-readable error codes. */
export type ImdsErrorCode =
  | 'NOT_FOUND'
  | 'TIMEOUT'
  | 'UNAVAILABLE'
  | 'FORBIDDEN'
  | 'TOKEN_REJECTED'
  | 'TOKEN_REQUEST_REJECTED'
  | 'TOKEN_UNAVAILABLE'
  | 'V1_FALLBACK_DISABLED'
  | 'DISABLED'
  | 'CONFIG'
  | 'BODY_TOO_LARGE'
  | 'MALFORMED_RESPONSE'
  | 'UNEXPECTED_STATUS';

/** Where an error happened and what led to it; every field is optional. */
export interface ImdsErrorDetails {
  /** The HTTP status of the response that failed the call. */
  readonly status?: number;
  /** The request path (`/latest/meta-data/instance-id`). */
  readonly path?: string;
  /** How many attempts were made before giving up (0 when none was). */
  readonly attempts?: number;
  /** The underlying error (a socket error code, a timeout); never holds response bytes. */
  readonly cause?: unknown;
}

/**
 * Base of every error the client throws.
 * @example
 * ```ts
 * try {
 *   await client.get('spot/instance-action');
 * } catch (error) {
 *   if (error instanceof ImdsError && error.code === 'NOT_FOUND') console.log('no spot notice');
 *   else throw error;
 * }
 * ```
 */
export class ImdsError extends Error {
  override readonly name: string = 'ImdsError';
  readonly code: ImdsErrorCode;
  readonly status: number | undefined;
  readonly path: string | undefined;
  readonly attempts: number;

  constructor(code: ImdsErrorCode, message: string, details: ImdsErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.status = details.status;
    this.path = details.path;
    this.attempts = details.attempts ?? 0;
  }
}

/** The path does not exist (404): absent data, such as a spot notice not yet issued. */
export class ImdsNotFoundError extends ImdsError {
  override readonly name = 'ImdsNotFoundError';
  constructor(path: string, details: Omit<ImdsErrorDetails, 'path' | 'status'> = {}) {
    super('NOT_FOUND', `${path} not found (404)`, { ...details, path, status: 404 });
  }
}

/** No complete answer in time: the connection or the response exceeded its timeout. */
export class ImdsTimeoutError extends ImdsError {
  override readonly name = 'ImdsTimeoutError';
  /** `connect`: no TCP connection in time (nothing listens there); `response`: connected, no full answer; `dump`: the whole dump's deadline passed. */
  readonly phase: 'connect' | 'response' | 'dump';
  constructor(phase: 'connect' | 'response' | 'dump', timeoutMs: number, details: ImdsErrorDetails = {}) {
    const what =
      phase === 'connect'
        ? 'connecting to the metadata service'
        : phase === 'dump'
          ? 'dumping the whole tree (the dump deadline; raise deadlineMs, imds dump --deadline)'
          : 'waiting for the metadata service to answer';
    super('TIMEOUT', `timed out after ${timeoutMs} ms ${what}${where(details)}`, details);
    this.phase = phase;
  }
}

/** The service could not be reached (connection refused or reset) or kept failing (5xx, 429). */
export class ImdsUnavailableError extends ImdsError {
  override readonly name = 'ImdsUnavailableError';
  constructor(reason: string, details: ImdsErrorDetails = {}) {
    super('UNAVAILABLE', `metadata service unavailable: ${reason}${where(details)}`, details);
  }
}

/** 403: the metadata endpoint is disabled on this instance, or the request crossed a proxy. */
export class ImdsForbiddenError extends ImdsError {
  override readonly name = 'ImdsForbiddenError';
  constructor(details: ImdsErrorDetails = {}) {
    super(
      'FORBIDDEN',
      `access refused (403)${where(details)}: the instance's metadata endpoint may be disabled (HttpEndpoint=disabled)`,
      {
        status: 403,
        ...details,
      },
    );
  }
}

/** Session-token trouble: a token request refused, a fresh token rejected, or IMDSv1 needed but disabled. */
export class ImdsTokenError extends ImdsError {
  override readonly name = 'ImdsTokenError';
  constructor(
    code: 'TOKEN_REJECTED' | 'TOKEN_REQUEST_REJECTED' | 'TOKEN_UNAVAILABLE' | 'V1_FALLBACK_DISABLED',
    message: string,
    details: ImdsErrorDetails = {},
  ) {
    super(code, message, details);
  }
}

/** `AWS_EC2_METADATA_DISABLED=true` (or `disabled: true`): the client never sends a request. */
export class ImdsDisabledError extends ImdsError {
  override readonly name = 'ImdsDisabledError';
  constructor(path?: string) {
    super(
      'DISABLED',
      'the instance metadata service is disabled (AWS_EC2_METADATA_DISABLED=true); no request was sent',
      {
        ...(path === undefined ? {} : { path }),
      },
    );
  }
}

/** An option or environment variable has an invalid value; `setting` names which. */
export class ImdsConfigError extends ImdsError {
  override readonly name = 'ImdsConfigError';
  /** The option or environment variable at fault (`AWS_METADATA_SERVICE_TIMEOUT`, `tokenTtlSeconds`). */
  readonly setting: string;
  constructor(setting: string, problem: string) {
    super('CONFIG', `invalid ${setting}: ${problem}`);
    this.setting = setting;
  }
}

/** A response the client cannot use: too large, malformed, or with a status no rule covers. */
export class ImdsResponseError extends ImdsError {
  override readonly name = 'ImdsResponseError';
  constructor(
    code: 'BODY_TOO_LARGE' | 'MALFORMED_RESPONSE' | 'UNEXPECTED_STATUS',
    message: string,
    details: ImdsErrorDetails = {},
  ) {
    super(code, `${message}${where(details)}`, details);
  }
}

function where(details: ImdsErrorDetails): string {
  const attempts =
    details.attempts !== undefined && details.attempts > 1 ? ` after ${details.attempts} attempts` : '';
  return `${details.path === undefined ? '' : ` (${details.path})`}${attempts}`;
}
