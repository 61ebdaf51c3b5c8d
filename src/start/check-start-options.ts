/**
 * `startEmulator` options checked as strictly as a configuration file: an unknown key is an error
 * with the likely meant one, and a partial instance (`{ instanceType: 'm7g.large' }`, as a file's
 * `instance:` is written) is validated and completed from the built-in instance, as `startImds`
 * does, instead of starting an emulator that answers 500 to everything.
 */
import { ConfigError, type LocatedProblem } from '../config/config-error.js';
import { configFromData } from '../config/load-file.js';
import { unknownKeyProblems } from '../config/unknown-keys.js';
import type { InstanceDescription } from '../metadata/instance.js';
import type { StartOptions } from './start-options.js';

const SOURCE = 'startEmulator';

/** Every option; the compiler keeps this list and {@link StartOptions} in step. */
const START_KEYS = Object.keys({
  host: true,
  port: true,
  limits: true,
  emulator: true,
  instance: true,
  httpTokens: true,
  httpEndpoint: true,
  clock: true,
  identity: true,
  requestLogCapacity: true,
  scenarios: true,
  seed: true,
  onRequest: true,
  anchor: true,
  signer: true,
  instanceConnect: true,
  shareTree: true,
  attribution: true,
  treeSource: true,
} satisfies Record<keyof StartOptions, true>);

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

/** The fields every complete instance description has; the compiler checks the list. */
const REQUIRED_INSTANCE_KEYS = Object.keys({
  accountId: true,
  instanceId: true,
  instanceType: true,
  instanceLifeCycle: true,
  instanceAction: true,
  architecture: true,
  amiId: true,
  amiLaunchIndex: true,
  amiManifestPath: true,
  reservationId: true,
  launchTime: true,
  region: true,
  availabilityZone: true,
  availabilityZoneId: true,
  hostname: true,
  profile: true,
  services: true,
  blockDeviceMapping: true,
  networkInterfaces: true,
  credentialRotation: true,
  identityCredentials: true,
  publicKeys: true,
  monitoring: true,
  maintenanceEvents: true,
} satisfies Record<RequiredKeys<InstanceDescription>, true>);

/**
 * The options with a complete instance.
 * @throws {ConfigError} for an unknown option or an instance that is neither complete nor valid
 * as a configuration file's `instance:`.
 */
export function checkStartOptions(options: StartOptions): StartOptions & { instance?: InstanceDescription } {
  const problems: LocatedProblem[] = unknownKeyProblems(options, START_KEYS).map((problem) => ({
    source: SOURCE,
    ...problem,
    // The fault seed was `faultSeed` here and `seed` everywhere else; now it is `seed` here too.
    ...(problem.path[0] === 'faultSeed'
      ? { message: 'unknown key; did you mean "seed"? (it was renamed from faultSeed)' }
      : {}),
  }));
  if (problems.length > 0) throw new ConfigError(problems);
  const { instance } = options;
  if (instance === undefined || isComplete(instance)) return { ...options, instance };
  const checked = configFromData({ instance });
  if ('problems' in checked)
    throw new ConfigError(checked.problems.map((problem) => ({ source: SOURCE, ...problem })));
  return { ...options, instance: checked.config.instance };
}

function isComplete(instance: object): instance is InstanceDescription {
  return REQUIRED_INSTANCE_KEYS.every((key) => key in instance);
}
