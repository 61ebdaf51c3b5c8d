import { resolveMoment } from './moment.js';
import type { ScenarioEffect } from './scenario.js';
import type { HttpTokensSpec } from './spec.js';

/** `HttpTokens` switched at `when`: `required` turns IMDSv1 off (token-less reads get 401). */
export function httpTokensChange(spec: HttpTokensSpec, anchor: number): ScenarioEffect {
  const at = resolveMoment(spec.when, anchor);
  return {
    changesAt: [at],
    apply: (state, now) =>
      now < at || state.httpTokens === spec.mode ? state : { ...state, httpTokens: spec.mode },
  };
}
