import { listen, type FrontLimits, type RunningListener } from './listen.js';
import { Emulator, type EmulatorOptions } from './emulator.js';
import { pageResponse } from './responses.js';
import { createHttpDateFormatter } from './http-date.js';
import { DEFAULT_EMULATOR_HOST } from '../wire.js';

/** Where to listen, besides what the emulator serves. */
export interface StartOptions extends EmulatorOptions {
  host?: string;
  /** 0 (the default here) picks a free port. */
  port?: number;
  limits?: Partial<FrontLimits>;
  /** Serve this emulator instead of creating one from the options. */
  emulator?: Emulator;
}

/** A running emulator: its URL, its state, and how to stop it. */
export interface RunningEmulator {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly emulator: Emulator;
  close(): Promise<void>;
}

/**
 * Starts an emulator on a socket (loopback and a free port unless told otherwise).
 * @example
 * ```ts
 * const imds = await startEmulator({ httpTokens: 'optional' });
 * const res = await fetch(`${imds.url}/latest/meta-data/instance-id`);
 * await imds.close();
 * ```
 */
export async function startEmulator(options: StartOptions = {}): Promise<RunningEmulator> {
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
