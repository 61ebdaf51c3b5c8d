import type { InstanceDescription } from '../metadata/instance.js';
import type { ScenarioEffect } from './scenario.js';
import type { ServiceState } from './service-state.js';

/** The state with its instance edited, or the same object when nothing changed. */
export function withInstance(
  state: ServiceState,
  edit: (instance: InstanceDescription) => InstanceDescription,
): ServiceState {
  const instance = edit(state.instance);
  return instance === state.instance ? state : { ...state, instance };
}

/**
 * The effect of most scenarios: one step at `at`, from which on the instance is edited (before it,
 * the state passes through untouched).
 *
 * @example
 * ```ts
 * editInstanceFrom(issuedAt, (instance) => ({ ...instance, rebalanceNoticeTime: issuedAt }));
 * ```
 */
export function editInstanceFrom(
  at: number,
  edit: (instance: InstanceDescription) => InstanceDescription,
): ScenarioEffect {
  return {
    changesAt: [at],
    apply: (state, now) => (now < at ? state : withInstance(state, edit)),
  };
}
