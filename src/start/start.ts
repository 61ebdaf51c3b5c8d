import { listen, type RunningListener } from '../server/listen.js';
import { checkStartOptions } from './check-start-options.js';
import type { StartOptions } from './start-options.js';

export type { StartOptions } from './start-options.js';
import { Emulator } from '../server/emulator.js';
import { pageResponse } from '../server/responses.js';
import { createHttpDateFormatter } from '../server/http-date.js';
import { DEFAULT_EMULATOR_HOST } from '../wire.js';

/**
 * A running emulator: its URL, its state, and how to stop it.
 * @example
 * ```ts
 * const running = await startEmulator();
 * running.emulator.setHttpTokens('optional');
 * await running.close();
 * ```
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
 */
export interface RunningEmulator {
  /** `http://127.0.0.1:<port>` (IPv6 in brackets): the endpoint to give a client. */
  readonly url: string;
  /** The bound address as the system reports it. */
  readonly host: string;
  /** The bound port (the chosen one when 0 was asked). */
  readonly port: number;
  /** The emulator served: its instance, settings, scenarios, clock and request log. */
  readonly emulator: Emulator;
  /** Stops accepting and ends open connections; resolves once closed. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts an emulator on a socket (loopback and a free port unless told otherwise). `instance` may
 * be complete (`{ ...DEFAULT_INSTANCE, instanceType: 'm7g.large' }`) or written as a configuration
 * file's `instance:` (`{ instanceType: 'm7g.large' }`), which is checked and completed.
 * @throws {ConfigError} for an unknown option (with the likely meant one) or an invalid instance.
 * @throws {ListenError} (as a rejection) when the address cannot be bound.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
 * @example
 * ```ts
 * const imds = await startEmulator({ httpTokens: 'optional' });
 * const res = await fetch(`${imds.url}/latest/meta-data/instance-id`);
 * await imds.close();
 * ```
 */
export async function startEmulator(given: StartOptions = {}): Promise<RunningEmulator> {
  const options = checkStartOptions(given); // instance now complete
  const emulator = options.emulator ?? new Emulator(options);
  const httpDate = createHttpDateFormatter();
  const listener: RunningListener = await listen({
    host: options.host ?? DEFAULT_EMULATOR_HOST,
    port: options.port ?? 0,
    handler: emulator.handle,
    errorResponse: (status) => pageResponse(status, { date: httpDate(emulator.clock.now()), head: false }),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  return {
    url: listener.url,
    host: listener.host,
    port: listener.port,
    emulator,
    close: () => listener.close(),
  };
}
