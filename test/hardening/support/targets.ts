/**
 * Starts the emulators a load runs against, one per mode, on loopback and a fixed clock, and
 * reads their expected answers from them before the load starts.
 */
import { ManualClock } from '../../../src/clock.js';
import type { FrontLimits } from '../../../src/server/listen.js';
import { startEmulator, type RunningEmulator } from '../../../src/start/start.js';
import { crawlEmulator, type Crawl } from './crawl.js';
import { loadTarget, type LoadMode, type LoadTarget } from './expected.js';

/** The capture's moment, as in test/helpers/in-process.ts: an hour after the seed instance's launch. */
export const LOAD_NOW = Date.UTC(2024, 1, 27, 13, 6, 6);

/** The running emulators and their expected answers. */
export interface LoadTargets {
  readonly emulators: readonly RunningEmulator[];
  readonly targets: readonly LoadTarget[];
  /** What the crawl of each emulator found, in the order of `emulators`. */
  readonly crawls: readonly Crawl[];
  close(): Promise<void>;
}

/**
 * One emulator per mode, each crawled in `optional` mode first and then switched to its mode.
 * `disabled` is `HttpEndpoint=disabled` (and `HttpTokens=required`).
 * @example
 * ```ts
 * const { targets, close } = await startLoadTargets(['optional', 'required']);
 * ```
 */
export async function startLoadTargets(
  modes: readonly LoadMode[],
  limits?: Partial<FrontLimits>,
): Promise<LoadTargets> {
  const emulators: RunningEmulator[] = [];
  const targets: LoadTarget[] = [];
  const crawls: Crawl[] = [];
  try {
    for (const mode of modes) {
      const running = await startEmulator({
        httpTokens: 'optional',
        clock: new ManualClock(LOAD_NOW),
        ...(limits ? { limits } : {}),
      });
      emulators.push(running);
      const crawl = await crawlEmulator(running.port);
      crawls.push(crawl);
      targets.push(await loadTarget(mode, running.port, mode, crawl));
      applyMode(running, mode);
    }
  } catch (error) {
    await Promise.all(emulators.map((running) => running.close()));
    throw error;
  }
  return {
    emulators,
    targets,
    crawls,
    close: async () => {
      await Promise.all(emulators.map((running) => running.close()));
    },
  };
}

/** Switches a crawled emulator to the mode it is loaded in. */
export function applyMode(running: RunningEmulator, mode: LoadMode): void {
  if (mode === 'disabled') {
    running.emulator.setHttpTokens('required');
    running.emulator.setHttpEndpoint('disabled');
  } else {
    running.emulator.setHttpTokens(mode);
  }
}
