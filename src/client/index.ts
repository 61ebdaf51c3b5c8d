/**
 * `ec2-imds/client`: a dependency-free EC2 instance metadata client.
 *
 * @example
 * ```ts
 * import { ImdsClient, ImdsNotFoundError } from 'ec2-imds/client';
 * const imds = new ImdsClient(); // AWS_EC2_METADATA_SERVICE_ENDPOINT and friends are honoured
 * const id = await imds.instanceId();
 * const spot = await imds.spotInstanceAction(); // null until a notice is issued
 * ```
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
 */
export { ImdsClient, type ImdsClientOptions } from './client.js';
export {
  resolveImdsConfig,
  DEFAULT_ATTEMPTS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TIMEOUT_MS,
  type EndpointMode,
  type ImdsConfig,
  type ImdsConfigOptions,
} from './config.js';
export {
  ImdsError,
  ImdsConfigError,
  ImdsDisabledError,
  ImdsForbiddenError,
  ImdsNotFoundError,
  ImdsResponseError,
  ImdsTimeoutError,
  ImdsTokenError,
  ImdsUnavailableError,
  type ImdsErrorCode,
  type ImdsErrorDetails,
} from './errors.js';
export { FALLBACK_STATUSES, describeFallback, type V1Fallback, type V1FallbackListener } from './fallback.js';
export { httpTransport } from './http-transport.js';
export { socketTransport } from './socket-transport.js';
export {
  TransportFailure,
  type Transport,
  type TransportFailureKind,
  type TransportRequest,
  type TransportResponse,
} from './transport.js';
export { metadataPath, directoryPath } from './paths.js';
export { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
export { leafValue } from './leaf-value.js';
export { CLIENT_VERSION, USER_AGENT } from './user-agent.js';
export { DEFAULT_DUMP_CONCURRENCY, type DumpOptions, type DumpTree, type DumpValue } from './dump.js';
export type { IamCredentials } from './credentials.js';
export type { IdentityDocument } from './identity-document.js';
export {
  EVENT_PATHS,
  parseEventTime,
  type RebalanceRecommendation,
  type ScheduledEvent,
  type SpotInstanceAction,
} from './events.js';
export type { JsonObject, JsonValue } from './json.js';
export type { TokenClock } from './token-cache.js';
