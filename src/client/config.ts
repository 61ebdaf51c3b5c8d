/**
 * Client settings: each one's option, environment variable and default side by side, and one pure
 * function that resolves them. Resolution reads only its arguments (no `process.env`, no network),
 * so every rule is unit-tested without a request.
 *
 * Order, as the AWS SDKs apply it: explicit option > environment > default. For the endpoint:
 * `endpoint` > `AWS_EC2_METADATA_SERVICE_ENDPOINT` > `endpointMode` >
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` > IPv4.
 *
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-client.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-ec2-instance-metadata.html
 */
import { ImdsConfigError } from './errors.js';
import {
  DEFAULT_TOKEN_TTL_SECONDS,
  ENV,
  IPV4_ENDPOINT,
  IPV6_ENDPOINT,
  TOKEN_TTL_MAX_SECONDS,
  TOKEN_TTL_MIN_SECONDS,
} from '../wire.js';

/** `IPv4` → `http://169.254.169.254`, `IPv6` → `http://[fd00:ec2::254]`. */
export type EndpointMode = 'IPv4' | 'IPv6';

/** The settings a caller may give; everything has a default. */
export interface ImdsConfigOptions {
  /** `http://host[:port]` of the service. Env: `AWS_EC2_METADATA_SERVICE_ENDPOINT`. */
  endpoint?: string;
  /** Which real endpoint to use when none is given. Env: `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`. Default IPv4. */
  endpointMode?: EndpointMode;
  /** Never send a request. Env: `AWS_EC2_METADATA_DISABLED=true`. Default false. */
  disabled?: boolean;
  /** Fall back to token-less IMDSv1 reads when no token can be had. Env: `AWS_EC2_METADATA_V1_DISABLED=true` turns it off. Default true. */
  v1Fallback?: boolean;
  /** Time allowed for one HTTP exchange, connect to last byte. Env: `AWS_METADATA_SERVICE_TIMEOUT` (seconds). Default 1000 ms. */
  timeoutMs?: number;
  /** Time allowed to open the TCP connection; at most `timeoutMs`. Default min(timeoutMs, 1000). */
  connectTimeoutMs?: number;
  /** Total attempts per call (1 = no retry). Env: `AWS_METADATA_SERVICE_NUM_ATTEMPTS`. Default 4 (3 retries). */
  attempts?: number;
  /** TTL asked for session tokens, 1..21600 seconds. Default 21600. */
  tokenTtlSeconds?: number;
  /** Largest response body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
}

/** Fully resolved settings; `deadlineMs` bounds a whole call, retries and fallback included. */
export interface ImdsConfig {
  readonly endpoint: string;
  /** Which rule chose the endpoint, for diagnostics (`imds --help` and error hints). */
  readonly endpointSource: 'option' | 'env' | 'mode-option' | 'mode-env' | 'default';
  readonly disabled: boolean;
  readonly v1Fallback: boolean;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly attempts: number;
  readonly tokenTtlSeconds: number;
  readonly maxBodyBytes: number;
  /**
   * The most a call may take: `timeoutMs × (attempts + 1)`. The extra slot is for a token request
   * that times out before the IMDSv1 fallback, so even `attempts: 1` can fall back.
   */
  readonly deadlineMs: number;
}

/** The AWS SDK reference defaults: 1 s timeouts, 3 retries, the longest token TTL. */
export const DEFAULT_TIMEOUT_MS = 1_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 1_000;
export const DEFAULT_ATTEMPTS = 4;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Resolves the client's settings from options and an environment.
 * @throws {ImdsConfigError} naming the option or variable whose value is invalid.
 * @example
 * ```ts
 * resolveImdsConfig({}, { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'IPv6' }).endpoint; // 'http://[fd00:ec2::254]'
 * ```
 */
export function resolveImdsConfig(options: ImdsConfigOptions = {}, env: Env = {}): ImdsConfig {
  const { endpoint, endpointSource } = resolveEndpoint(options, env);
  const timeoutMs = options.timeoutMs ?? secondsFromEnv(env, ENV.timeout) ?? DEFAULT_TIMEOUT_MS;
  positive('timeoutMs', timeoutMs);
  const connectTimeoutMs = Math.min(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, timeoutMs);
  positive('connectTimeoutMs', connectTimeoutMs);
  const attempts = options.attempts ?? integerFromEnv(env, ENV.attempts) ?? DEFAULT_ATTEMPTS;
  if (!Number.isInteger(attempts) || attempts < 1)
    throw new ImdsConfigError('attempts', `must be an integer >= 1; got ${attempts}`);
  const tokenTtlSeconds = options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  if (
    !Number.isInteger(tokenTtlSeconds) ||
    tokenTtlSeconds < TOKEN_TTL_MIN_SECONDS ||
    tokenTtlSeconds > TOKEN_TTL_MAX_SECONDS
  ) {
    throw new ImdsConfigError(
      'tokenTtlSeconds',
      `must be an integer from ${TOKEN_TTL_MIN_SECONDS} to ${TOKEN_TTL_MAX_SECONDS}; got ${tokenTtlSeconds}`,
    );
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1)
    throw new ImdsConfigError('maxBodyBytes', `must be a positive integer; got ${maxBodyBytes}`);
  return {
    endpoint,
    endpointSource,
    disabled: options.disabled ?? isTrue(env[ENV.disabled]),
    v1Fallback: options.v1Fallback ?? !isTrue(env[ENV.v1Disabled]),
    timeoutMs,
    connectTimeoutMs,
    attempts,
    tokenTtlSeconds,
    maxBodyBytes,
    deadlineMs: timeoutMs * (attempts + 1),
  };
}

function resolveEndpoint(
  options: ImdsConfigOptions,
  env: Env,
): Pick<ImdsConfig, 'endpoint' | 'endpointSource'> {
  if (options.endpoint !== undefined)
    return { endpoint: normalizeEndpoint('endpoint', options.endpoint), endpointSource: 'option' };
  const setInEnv = env[ENV.endpoint];
  if (setInEnv !== undefined) {
    // Set but blank is almost always a script that exported the variable before it knew the URL (an
    // emulator not started yet): taking it as unset would read the real metadata service instead.
    const fromEnv = nonEmpty(setInEnv);
    if (fromEnv === undefined)
      throw new ImdsConfigError(
        ENV.endpoint,
        'is set but empty; give the endpoint URL, or unset the variable to use the default endpoint',
      );
    return { endpoint: normalizeEndpoint(ENV.endpoint, fromEnv), endpointSource: 'env' };
  }
  if (options.endpointMode !== undefined)
    return { endpoint: endpointFor('endpointMode', options.endpointMode), endpointSource: 'mode-option' };
  const modeFromEnv = nonEmpty(env[ENV.endpointMode]);
  if (modeFromEnv !== undefined)
    return { endpoint: endpointFor(ENV.endpointMode, modeFromEnv), endpointSource: 'mode-env' };
  return { endpoint: IPV4_ENDPOINT, endpointSource: 'default' };
}

/** The SDKs compare the mode case-insensitively. */
function endpointFor(setting: string, mode: string): string {
  switch (mode.toLowerCase()) {
    case 'ipv4':
      return IPV4_ENDPOINT;
    case 'ipv6':
      return IPV6_ENDPOINT;
    default:
      throw new ImdsConfigError(setting, `must be IPv4 or IPv6; got '${mode}'`);
  }
}

/** `scheme://host[:port]` with no path: a path would be silently dropped, so it is refused instead. */
function normalizeEndpoint(setting: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ImdsConfigError(setting, `not a URL: '${shown(value)}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ImdsConfigError(setting, `must be an http:// URL; got '${shown(value)}'`);
  if (
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search ||
    url.hash ||
    url.username ||
    url.password
  ) {
    throw new ImdsConfigError(
      setting,
      `must be scheme://host[:port] with no path, query or credentials; got '${shown(value)}'`,
    );
  }
  return url.origin;
}

function secondsFromEnv(env: Env, name: string): number | undefined {
  const text = nonEmpty(env[name]);
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!/^[0-9]*\.?[0-9]+$/.test(text) || !(seconds > 0))
    throw new ImdsConfigError(name, `must be a positive number of seconds; got '${text}'`);
  return Math.round(seconds * 1000);
}

function integerFromEnv(env: Env, name: string): number | undefined {
  const text = nonEmpty(env[name]);
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text) || Number(text) < 1)
    throw new ImdsConfigError(name, `must be an integer >= 1; got '${text}'`);
  return Number(text);
}

/** The longest a Node.js timer waits; a longer delay silently becomes 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function positive(setting: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS)
    throw new ImdsConfigError(
      setting,
      `must be a positive number of milliseconds up to ${MAX_TIMER_MS} (about 24.8 days); got ${value}`,
    );
}

/** A URL as it may be shown in an error: any `user:password@` is replaced, never echoed. */
function shown(value: string): string {
  return value.replace(/^([^/?#]*\/\/)[^/?#]*@/, '$1<credentials>@');
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}
