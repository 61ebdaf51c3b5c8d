import type { InstanceDescription } from '../metadata/instance.js';
import type { ServiceState } from './service-state.js';

/** The state with its instance edited, or the same object when nothing changed. */
export function withInstance(
  state: ServiceState,
  edit: (instance: InstanceDescription) => InstanceDescription,
): ServiceState {
  const instance = edit(state.instance);
  return instance === state.instance ? state : { ...state, instance };
}
