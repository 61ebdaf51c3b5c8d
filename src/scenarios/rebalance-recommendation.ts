import { resolveMoment } from './moment.js';
import type { ScenarioEffect } from './scenario.js';
import type { RebalanceRecommendationSpec } from './spec.js';
import { editInstanceFrom } from './with-instance.js';

/**
 * A rebalance recommendation: `events/recommendations/rebalance` appears when issued, its
 * `noticeTime` fixed at that moment (404 before). The earliest due recommendation stands.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html
 */
export function rebalanceRecommendation(spec: RebalanceRecommendationSpec, anchor: number): ScenarioEffect {
  const issuedAt = resolveMoment(spec.when, anchor);
  return editInstanceFrom(issuedAt, (instance) => {
    const current = instance.rebalanceNoticeTime;
    return current !== undefined && current <= issuedAt
      ? instance
      : { ...instance, rebalanceNoticeTime: issuedAt };
  });
}
