import { ENV } from '../wire.js';

/**
 * The environment variables that point the AWS SDKs (and this project's client) at an emulator:
 * the endpoint, its address family, and metadata enabled.
 * @example
 * ```ts
 * Object.assign(process.env, sdkEnv('http://127.0.0.1:40123'));
 * ```
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html
 */
export function sdkEnv(url: string): Readonly<Record<string, string>> {
  return Object.freeze({
    [ENV.endpoint]: url,
    [ENV.endpointMode]: new URL(url).hostname.startsWith('[') ? 'IPv6' : 'IPv4',
    [ENV.disabled]: 'false',
  });
}
