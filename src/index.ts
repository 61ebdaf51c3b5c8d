/**
 * `ec2-imds`: the emulator as a library. The client is `ec2-imds/client`, the test fixture
 * `ec2-imds/testing`, and the wire constants `ec2-imds/wire`.
 *
 * @example
 * ```ts
 * import { startEmulator } from 'ec2-imds';
 * const imds = await startEmulator({ httpTokens: 'required' });
 * console.log(imds.url); // http://127.0.0.1:<free port>
 * await imds.close();
 * ```
 *
 * Errors are classes, checked with `instanceof`, each with a stable `name` and a machine-readable
 * `code`: kebab-case for the emulator's own conditions (`invalid-config`, `unknown-id`,
 * `not-manual`), the system's code where a system call failed (`ListenError`: `EADDRINUSE`).
 */
export { Emulator, type EmulatorOptions } from './server/emulator.js';
export { startEmulator, type RunningEmulator, type StartOptions } from './start/start.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export { DEFAULT_INSTANCE } from './metadata/default-instance.js';
export type {
  InstanceDescription,
  NetworkInterface,
  MaintenanceEvent,
  SpotNotice,
} from './metadata/instance.js';
export { createIdentitySigner, IdentityKeyError, type IdentitySigner } from './metadata/identity-signer.js';
export { ListenError } from './net/listen-error.js';
export { ConfigError, type LocatedProblem } from './config/config-error.js';
export { ScenarioError } from './scenarios/scenario-error.js';
export { ClockError } from './control/controller.js';
export { ControlBindError } from './control/control-server.js';
export { ControlRequestError } from './control/control-error.js';
export { Fleet, type FleetOptions, type FleetLogEntry } from './fleet/fleet.js';
export { serveFleet, type RunningFleet } from './fleet/start-fleet-listeners.js';
export { FleetError } from './fleet/fleet-error.js';
export type { FleetSpec, FleetMember, Unmatched } from './fleet/fleet-spec.js';
export type { FleetTargets } from './fleet/targets.js';
