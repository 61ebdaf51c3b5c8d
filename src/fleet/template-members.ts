import type { InstanceDescription } from '../metadata/instance.js';
import type { ScenarioSpec } from '../scenarios/spec.js';
import type { HttpEndpoint, HttpTokens } from '../wire.js';
import { deriveInstance } from './derive-instance.js';
import type { FleetMember } from './fleet-spec.js';
import { nthIpv4 } from './sequence.js';

/** A template: `count` instances derived from one, and where their callers come from. */
export interface FleetTemplate {
  readonly count: number;
  /** The first caller address; instance n answers `sources + n`. */
  readonly sources?: string | undefined;
  /** The first listener address; instance n listens on `host + n`, all on `port` (the shared one when absent). */
  readonly listen?: { readonly host: string; readonly port?: number | undefined } | undefined;
  readonly scenarios?: readonly ScenarioSpec[];
  readonly httpTokens?: HttpTokens | undefined;
  readonly httpEndpoint?: HttpEndpoint | undefined;
}

/**
 * The members a template stands for (the `fleet.template` block and `imds serve --fleet-count`).
 * @throws {RangeError} when an address would leave its subnet or its space (the message names the field).
 * @example templateMembers(instance, { count: 3, sources: '127.0.0.2' }) // callers 127.0.0.2..4
 */
export function templateMembers(base: InstanceDescription, template: FleetTemplate): FleetMember[] {
  const members: FleetMember[] = [];
  for (let n = 0; n < template.count; n++) {
    members.push({
      instance: deriveInstance(base, n),
      ...(template.httpTokens ? { httpTokens: template.httpTokens } : {}),
      ...(template.httpEndpoint ? { httpEndpoint: template.httpEndpoint } : {}),
      scenarios: template.scenarios ?? [],
      sources: template.sources ? [nthIpv4(template.sources, n)] : [],
      ...(template.listen
        ? { listen: { host: nthIpv4(template.listen.host, n), port: template.listen.port } }
        : {}),
    });
  }
  return members;
}
