/**
 * The `User-Agent` the client sends on every request, as the AWS SDKs send theirs: the emulator's
 * request log, a proxy or a packet capture can then tell this client's requests from an SDK's.
 * The version is the package's; a test keeps the two equal (the client reads no file at run time).
 *
 * @example USER_AGENT // 'ec2-imds/0.1.0'
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-credentials.html
 */
export const CLIENT_VERSION = '0.1.0';

/** The header's value, `ec2-imds/<version>`. */
export const USER_AGENT = `ec2-imds/${CLIENT_VERSION}`;
