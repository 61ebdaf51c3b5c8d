import { resolveMoment } from './moment.js';
import type { ScenarioEffect } from './scenario.js';
import type { FaultSpec } from './spec.js';

/** A fault in force from `when` for `durationMs` (for ever when absent). */
export function faultWindow(spec: FaultSpec, anchor: number, id: string): ScenarioEffect {
  const start = resolveMoment(spec.when, anchor);
  const end = spec.durationMs === undefined ? undefined : start + spec.durationMs;
  return {
    changesAt: end === undefined ? [start] : [start, end],
    ...(end === undefined ? {} : { endsAt: end }),
    apply: (state, now) =>
      now < start || (end !== undefined && now >= end)
        ? state
        : { ...state, faults: [...state.faults, { id, spec }] },
  };
}
