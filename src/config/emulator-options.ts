import type { Clock } from '../clock.js';
import type { EmulatorOptions } from '../server/emulator.js';
import type { EffectiveConfig } from './resolve.js';

/**
 * The emulator a resolved configuration describes: `imds serve` and the test fixture both build
 * their emulator through this, so a file and a test set up the same thing.
 */
export function emulatorOptionsOf(config: Pick<EffectiveConfig, 'instance' | 'scenarios' | 'settings'>, clock: Clock): EmulatorOptions {
  return {
    clock,
    instance: config.instance,
    httpTokens: config.settings.httpTokens,
    httpEndpoint: config.settings.httpEndpoint,
    scenarios: config.scenarios,
    ...(config.settings.seed === undefined ? {} : { faultSeed: config.settings.seed }),
  };
}
