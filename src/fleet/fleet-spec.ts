/**
 * What a fleet is made of, in the emulator's terms (already checked and built): its instances,
 * how callers are mapped to them, and what callers that match none get. The configuration file's
 * `fleet:` block, `imds serve --fleet-*` flags and `startFleet()` all produce one of these.
 *
 * @see ../../docs/fleet.md
 */
import type { InstanceDescription } from '../metadata/instance.js';
import type { ScenarioSpec } from '../scenarios/spec.js';
import type { HttpEndpoint, HttpTokens } from '../wire.js';
import type { FleetTargets } from './targets.js';

/** An address and port to listen on. */
export interface ListenAddress {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

/** One instance of a fleet and the callers it answers. */
export interface FleetMember {
  readonly instance: InstanceDescription;
  /** Its own `HttpTokens`; the fleet's (the top-level setting) when absent. */
  readonly httpTokens?: HttpTokens;
  readonly httpEndpoint?: HttpEndpoint;
  /** Its scenarios and faults (relative moments count from the fleet's start). */
  readonly scenarios: readonly ScenarioSpec[];
  /** Callers by source address: addresses (`10.0.0.7`) and CIDR blocks (`172.18.0.0/24`). */
  readonly sources: readonly string[];
  /**
   * Its own listener: every request arriving there is this instance's, whatever its source. The
   * port is the shared listener's when absent (127.0.1.N:80 beside 127.0.0.1:80).
   */
  readonly listen?: { readonly host: string; readonly port?: number | undefined };
}

/**
 * What a caller that matches no instance gets: a 403 (`refuse`, the default), no answer at all
 * (`timeout`: the client gives up, as with a metadata service it cannot reach), or the answer of a
 * chosen instance (`instance`).
 */
export type Unmatched =
  | { readonly kind: 'refuse' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'instance'; readonly instanceId: string };

/** A whole fleet. Instance ids are unique; they are how everything addresses an instance. */
export interface FleetSpec {
  readonly members: readonly FleetMember[];
  /** A request header (lower case) whose value names the instance (`x-imds-instance: i-0…`); off when absent. */
  readonly header?: string;
  readonly unmatched: Unmatched;
  /** Scenarios and faults for part of the fleet (`{ percent: 10 }`), added at the start. */
  readonly targeted?: readonly { readonly targets: FleetTargets; readonly spec: ScenarioSpec }[];
}

/** The header `startFleet()` and the docs use for routing by header. */
export const DEFAULT_FLEET_HEADER = 'x-imds-instance';
