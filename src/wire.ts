/**
 * The IMDS wire contract: addresses, paths, header names and limits, declared once.
 *
 * Both the emulator and the client import this module and nothing else from each other, so it
 * must stay free of runtime imports.
 *
 * @example
 * ```ts
 * import { TOKEN_PATH, TOKEN_TTL_HEADER } from 'ec2-imds/wire';
 * await fetch(`http://127.0.0.1:1338${TOKEN_PATH}`, { method: 'PUT', headers: { [TOKEN_TTL_HEADER]: '21600' } });
 * ```
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
 */

/** The IPv4 link-local endpoint of the real service. Never contacted by this project's tests. */
export const IPV4_ENDPOINT = 'http://169.254.169.254';
/** The IPv6 endpoint of the real service (Nitro instances, off by default). */
export const IPV6_ENDPOINT = 'http://[fd00:ec2::254]';
/** The host part of {@link IPV4_ENDPOINT}, for link-local mode. */
export const IPV4_HOST = '169.254.169.254';
/** The host part of {@link IPV6_ENDPOINT}. */
export const IPV6_HOST = 'fd00:ec2::254';

/** Where `imds serve` listens unless told otherwise: loopback, an unprivileged port. */
export const DEFAULT_EMULATOR_HOST = '127.0.0.1';
export const DEFAULT_EMULATOR_PORT = 1338;

/** The session-token endpoint: `PUT` with {@link TOKEN_TTL_HEADER}. */
export const TOKEN_PATH = '/latest/api/token';
/** Request header carrying the wanted TTL on the token `PUT`; response header echoing a token's TTL. */
export const TOKEN_TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
/** Request header carrying the session token on every IMDSv2 read. */
export const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
/** The TTL header spelled as the real service sends it. */
export const TOKEN_TTL_HEADER_WIRE = 'X-Aws-Ec2-Metadata-Token-Ttl-Seconds';
/** The token request is refused when it carries this header (it has crossed a proxy). */
export const FORWARDED_FOR_HEADER = 'x-forwarded-for';

/** Token TTL bounds in seconds, inclusive, as the service enforces them. */
export const TOKEN_TTL_MIN_SECONDS = 1;
export const TOKEN_TTL_MAX_SECONDS = 21_600;
/** The TTL the AWS SDKs ask for. */
export const DEFAULT_TOKEN_TTL_SECONDS = 21_600;
/** Every token the service hands out has this many characters. */
export const TOKEN_LENGTH = 56;

/** The largest user data the service accepts at launch, in bytes (16 KiB). */
export const USER_DATA_MAX_BYTES = 16 * 1024;

/** Path prefixes under a version. */
export const LATEST = 'latest';
export const META_DATA = 'meta-data';
export const DYNAMIC = 'dynamic';
export const USER_DATA = 'user-data';

/** `HttpTokens`: whether a token-less read is served (IMDSv1) or refused with 401. */
export type HttpTokens = 'optional' | 'required';
/** `HttpEndpoint`: whether the service answers at all. */
export type HttpEndpoint = 'enabled' | 'disabled';

/** Environment variables the AWS SDKs honour, with the same meaning here. */
export const ENV = {
  endpoint: 'AWS_EC2_METADATA_SERVICE_ENDPOINT',
  endpointMode: 'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE',
  disabled: 'AWS_EC2_METADATA_DISABLED',
  v1Disabled: 'AWS_EC2_METADATA_V1_DISABLED',
  timeout: 'AWS_METADATA_SERVICE_TIMEOUT',
  attempts: 'AWS_METADATA_SERVICE_NUM_ATTEMPTS',
} as const;

/**
 * Metadata versions the service lists at `GET /`, oldest first; `latest` is appended by the
 * listing. A dated version serves only what existed on that date.
 */
export const METADATA_VERSIONS = [
  '1.0',
  '2007-01-19',
  '2007-03-01',
  '2007-08-29',
  '2007-10-10',
  '2007-12-15',
  '2008-02-01',
  '2008-09-01',
  '2009-04-04',
  '2011-01-01',
  '2011-05-01',
  '2012-01-12',
  '2014-02-25',
  '2014-11-05',
  '2015-10-20',
  '2016-04-19',
  '2016-06-30',
  '2016-09-02',
  '2018-03-28',
  '2018-08-17',
  '2018-09-24',
  '2019-10-01',
  '2020-10-27',
  '2021-01-03',
  '2021-03-23',
  '2021-07-15',
  '2022-07-09',
  '2022-09-24',
  '2024-04-11',
] as const;

/**
 * A host without the brackets a URL puts around an IPv6 address (`[::1]` -> `::1`); other
 * spellings come back as they are. `node:net` and `node:http` want the bare form; the
 * endpoint `http://[fd00:ec2::254]` is written with them.
 *
 * @example
 * ```ts
 * bareHost(new URL('http://[::1]:1338').hostname); // '::1'
 * bareHost('127.0.0.1'); // '127.0.0.1'
 * ```
 */
export function bareHost(host: string): string {
  return host.length > 1 && host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
