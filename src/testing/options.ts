import type { ConfigFileInput } from '../config/schema/config-schema.js';

/**
 * What {@link startImds} takes. The instance, scenarios and faults are written exactly as in a
 * configuration file (`instance:`, `scenarios:`, `faults:`), and checked the same way.
 */
export interface StartImdsOptions {
  /**
   * A recording made with `imds record` (YAML or JSON path) to serve instead of a described
   * instance; `set`, `remove`, `credentials`, scenarios and faults still apply.
   * @see ../../docs/recording.md
   */
  readonly from?: string;
  /** Instance fields to change from the built-in instance (`{ instanceType: 'm7g.large', tags: { Name: 'web-1' } }`). */
  readonly instance?: ConfigFileInput['instance'];
  /** `required` (the default: IMDSv2 only) or `optional` (IMDSv1 allowed). */
  readonly httpTokens?: 'required' | 'optional';
  readonly httpEndpoint?: 'enabled' | 'disabled';
  /** Scenarios, relative times counting from the start (`{ type: 'spot-interruption', after: '2m' }`). */
  readonly scenarios?: ConfigFileInput['scenarios'];
  /** Faults (`{ type: 'throttle', ratePerSecond: 5 }`). */
  readonly faults?: ConfigFileInput['faults'];
  /** Paths of the tree to set, as `set:` in a file (`{ 'meta-data/ami-id': 'ami-0123456789abcdef0' }`). */
  readonly set?: ConfigFileInput['set'];
  /** Paths of the tree to remove. */
  readonly remove?: ConfigFileInput['remove'];
  /** Credential rotation (`{ rotateEvery: '15m', lifetime: '1h' }`). */
  readonly credentials?: ConfigFileInput['credentials'];
  /** Where the manual clock starts (Date, ISO text or epoch ms); now by default, so SDKs see fresh credentials. */
  readonly now?: Date | string | number;
  /** Seed of fault randomness; fixed (0) by default so error rates repeat from run to run. */
  readonly seed?: number;
  /** The loopback address to listen on (127.0.0.1 by default); the port is always a free one. */
  readonly host?: '127.0.0.1' | '::1' | 'localhost';
  /**
   * Name the process behind each request (Linux `/proc`: pid, exe, cmdline, user, parents,
   * container) in `requests[].caller`; off by default. Wait for lookups with `imds.attributed()`.
   */
  readonly attribution?: boolean;
}
