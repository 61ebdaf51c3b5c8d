/**
 * `ec2-imds/testing`: an IMDS emulator inside your tests, on a free loopback port and a manual
 * clock, driven from the test (spot notices, events, credential rotation, token mode, faults).
 *
 * @example
 * ```ts
 * import { startImds } from 'ec2-imds/testing';
 * await using imds = await startImds({ httpTokens: 'required' });
 * Object.assign(process.env, imds.env);          // AWS SDKs now talk to it
 * imds.spot.interrupt({ action: 'stop' });
 * imds.clock.advance('2m');
 * ```
 * @see ../../docs/testing.md
 */
export {
  startImds,
  type Imds,
  type ImdsClock,
  type PushSshKeyOptions,
  type ScheduleEventOptions,
} from './start-imds.js';
export type { StartImdsOptions } from './options.js';
export { sdkEnv } from './sdk-env.js';
export { ConfigError, type LocatedProblem } from '../config/config-error.js';
export type {
  ActiveSshKeyRecord,
  RequestRecord,
  ScenarioRecord,
  ControlState,
} from '../control/api-shapes.js';
export type { ScenarioEntryInput } from '../config/schema/scenario-schema.js';
export {
  startFleet,
  type StartFleetOptions,
  type ImdsFleet,
  type FleetInstance,
  type FleetRequestRecord,
} from './start-fleet.js';
