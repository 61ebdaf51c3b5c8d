import { resolveMoment } from './moment.js';
import type { ScenarioEffect } from './scenario.js';
import type { SpotInterruptionSpec } from './spec.js';
import { withInstance } from './with-instance.js';

/** How long EC2 gives between a spot interruption notice and the action. */
export const SPOT_NOTICE_MS = 120_000;

/**
 * A spot interruption: the instance is a spot instance throughout (`instance-life-cycle` is
 * `spot`); from the moment the notice is issued, `spot/instance-action` and
 * `spot/termination-time` name the action and its time, fixed at issue (two minutes later by
 * default). When several notices are due, the earliest action stands, as a notice once given is
 * not withdrawn.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
 */
export function spotInterruption(spec: SpotInterruptionSpec, anchor: number): ScenarioEffect {
  const issuedAt = resolveMoment(spec.when, anchor);
  const notice = { action: spec.action, time: issuedAt + (spec.noticeMs ?? SPOT_NOTICE_MS) };
  return {
    changesAt: [issuedAt],
    apply: (state, now) =>
      withInstance(state, (instance) => {
        const current = instance.spotNotice;
        const showNotice = now >= issuedAt && !(current && current.time <= notice.time);
        return { ...instance, instanceLifeCycle: 'spot', ...(showNotice ? { spotNotice: notice } : {}) };
      }),
  };
}
