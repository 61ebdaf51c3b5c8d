import type { ConfigFileInput } from '../config/schema/config-schema.js';
import type { InstanceDescription } from '../metadata/instance.js';
import type { Emulator, EmulatorOptions } from '../server/emulator.js';
import type { FrontLimits } from '../server/listen.js';

/**
 * Where to listen, besides what the emulator serves.
 * @example
 * ```ts
 * await startEmulator({ host: '::1', port: 0, httpTokens: 'optional', limits: { requestTimeoutMs: 2_000 } });
 * ```
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-options.html
 */
export interface StartOptions extends Omit<EmulatorOptions, 'instance'> {
  /**
   * The instance: complete, or only the fields to change from the built-in one, as a
   * configuration file's `instance:` is written (`{ instanceType: 'm7g.large' }`).
   */
  instance?: InstanceDescription | ConfigFileInput['instance'];
  /** The address to bind; loopback (`127.0.0.1`) by default. Beyond loopback, see docs/security.md. */
  host?: string;
  /** 0 (the default here) picks a free port. */
  port?: number;
  /** Bounds of the socket front (head size, header count, timeouts, connections). */
  limits?: Partial<FrontLimits>;
  /** Serve this emulator instead of creating one from the options. */
  emulator?: Emulator;
}
