import type { InstanceDescription } from '../metadata/instance.js';
import type { HttpEndpoint, HttpTokens } from '../wire.js';
import type { FaultSpec } from './spec.js';

/** A fault in force, with the id of the scenario that put it there. */
export interface ActiveFault {
  readonly id: string;
  readonly spec: FaultSpec;
}

/**
 * Everything the emulator serves at one moment: the instance, the two service settings and the
 * faults in force. Scenarios map one state to the next; the base state comes from the
 * configuration and run-time edits.
 */
export interface ServiceState {
  readonly instance: InstanceDescription;
  readonly httpTokens: HttpTokens;
  readonly httpEndpoint: HttpEndpoint;
  readonly faults: readonly ActiveFault[];
}
