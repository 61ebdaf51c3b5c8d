import type { ServiceState } from './service-state.js';
import type { ScenarioSpec } from './spec.js';

/**
 * What a scenario does, as a function of the clock: `apply` maps the state before it to the state
 * with it, at `now`. The effect is a step function of time: it may change only at the instants
 * in `changesAt`, so the emulator computes a state once and keeps it until the next instant.
 */
export interface ScenarioEffect {
  /** Instants (epoch ms, ascending) at which the effect changes. */
  readonly changesAt: readonly number[];
  /** When the effect stops (faults with a duration). */
  readonly endsAt?: number;
  apply(state: ServiceState, now: number): ServiceState;
  /**
   * Set for `set-value`/`remove-value`: the same effect as `apply`, as data, so a timeline with
   * thousands of them builds the overrides once instead of copying them once per scenario.
   */
  readonly treeEdit?: { readonly path: string; readonly value: string | null; readonly at: number };
}

/** A scenario on a timeline: its spec, its id and the instant its relative moments count from. */
export interface Scenario extends ScenarioEffect {
  readonly id: string;
  readonly spec: ScenarioSpec;
  readonly anchor: number;
}

/** `pending` before its first instant, `ended` after its end, `active` in between. */
export type ScenarioStatus = 'pending' | 'active' | 'ended';

/** Where a scenario stands at `now`. */
export function scenarioStatus(scenario: ScenarioEffect, now: number): ScenarioStatus {
  const first = scenario.changesAt[0];
  if (first !== undefined && now < first) return 'pending';
  if (scenario.endsAt !== undefined && now >= scenario.endsAt) return 'ended';
  return 'active';
}

/** The most recent instant of the scenario at or before `now` (-Infinity when none yet). */
export function lastChangeAt(scenario: ScenarioEffect, now: number): number {
  let last = -Infinity;
  for (const instant of scenario.changesAt) if (instant <= now) last = instant;
  return last;
}
