import type { Clock } from '../clock.js';
import { metadataOptionFaults } from './metadata-option-faults.js';
import type { InstanceDescription } from '../metadata/instance.js';
import type { EmulatorOptions } from '../server/emulator.js';
import type { ScenarioSpec } from '../scenarios/spec.js';
import type { HttpEndpoint, HttpTokens } from '../wire.js';

/** What an emulator is set up with, from a configuration or the fixture's options. */
export interface EmulatorSetup {
  readonly instance: InstanceDescription;
  readonly scenarios: readonly ScenarioSpec[];
  readonly httpTokens: HttpTokens;
  readonly httpEndpoint: HttpEndpoint;
  readonly seed?: number;
}

/**
 * The emulator options for a setup: `imds serve` and the test fixture both build their emulator
 * through this, so a file and a test set up the same thing.
 */
export function emulatorOptionsOf(setup: EmulatorSetup, clock: Clock): EmulatorOptions {
  return {
    clock,
    instance: setup.instance,
    httpTokens: setup.httpTokens,
    httpEndpoint: setup.httpEndpoint,
    // The instance's metadata options act through faults, listed beside the configured ones.
    scenarios: [...setup.scenarios, ...metadataOptionFaults(setup.instance.metadataOptions)],
    ...(setup.seed === undefined ? {} : { seed: setup.seed }),
  };
}
