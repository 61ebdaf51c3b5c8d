import type { ScenarioEffect } from './scenario.js';
import type { AutoscalingLifecycleSpec } from './spec.js';
import { withInstance } from './with-instance.js';

/**
 * An Auto Scaling target lifecycle: `autoscaling/target-lifecycle-state` takes each step's state
 * at its time (each `after` counts from the anchor); before the first step it is absent, as on an
 * instance that is not in a group.
 *
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/retrieving-target-lifecycle-state-through-imds.html
 */
export function autoscalingLifecycle(spec: AutoscalingLifecycleSpec, anchor: number): ScenarioEffect {
  const steps = spec.steps
    .map((step) => ({ state: step.state, at: anchor + step.after }))
    .sort((a, b) => a.at - b.at);
  return {
    changesAt: steps.map((step) => step.at),
    apply: (state, now) =>
      withInstance(state, (instance) => {
        const current = steps.filter((step) => step.at <= now).at(-1);
        return current ? { ...instance, targetLifecycleState: current.state } : instance;
      }),
  };
}
