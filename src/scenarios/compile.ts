import { autoscalingLifecycle } from './autoscaling-lifecycle.js';
import { credentialRotation } from './credential-rotation.js';
import { faultWindow } from './fault-window.js';
import { httpTokensChange } from './http-tokens.js';
import { instanceConnectKey } from './instance-connect-key.js';
import { maintenanceEvent, maintenanceEventId } from './maintenance-event.js';
import { rebalanceRecommendation } from './rebalance-recommendation.js';
import type { Scenario } from './scenario.js';
import type { ScenarioSpec } from './spec.js';
import { spotInterruption } from './spot-interruption.js';
import { treeValue } from './tree-value.js';

/**
 * Turns a spec into a scenario anchored at `anchor` (the instant its relative moments count from).
 * @example
 * ```ts
 * const spot = compileScenario({ type: 'spot-interruption', action: 'terminate', when: { after: 60_000 } }, 'spot', clock.now());
 * spot.apply(state, clock.now() + 60_000).instance.spotNotice; // { action: 'terminate', time: now + 180_000 }
 * ```
 */
export function compileScenario(given: ScenarioSpec, id: string, anchor: number): Scenario {
  // A maintenance event keeps the id it was given its first time, so it can be found to end it.
  const spec: ScenarioSpec =
    given.type === 'maintenance-event' && given.eventId === undefined
      ? { ...given, eventId: maintenanceEventId(id) }
      : given;
  const effect = (() => {
    switch (spec.type) {
      case 'spot-interruption':
        return spotInterruption(spec, anchor);
      case 'rebalance-recommendation':
        return rebalanceRecommendation(spec, anchor);
      case 'maintenance-event':
        return maintenanceEvent(spec, anchor, spec.eventId ?? maintenanceEventId(id));
      case 'autoscaling-lifecycle':
        return autoscalingLifecycle(spec, anchor);
      case 'credential-rotation':
        return credentialRotation(spec, anchor);
      case 'http-tokens':
        return httpTokensChange(spec, anchor);
      case 'instance-connect-key':
        return instanceConnectKey(spec, anchor, id);
      case 'set-value':
      case 'remove-value':
        return treeValue(spec, anchor);
      case 'hop-limit':
      case 'throttle':
      case 'latency':
      case 'server-errors':
      case 'endpoint-off':
        return faultWindow(spec, anchor, id);
    }
  })();
  return { ...effect, id, spec, anchor };
}
