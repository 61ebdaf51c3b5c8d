import { createHash } from 'node:crypto';
import type { MaintenanceEvent, MaintenanceEventCode } from '../metadata/instance.js';
import { resolveMoment } from './moment.js';
import type { ScenarioEffect } from './scenario.js';
import type { MaintenanceEventSpec } from './spec.js';
import { withInstance } from './with-instance.js';

/** The descriptions EC2 gives each event code. */
export const MAINTENANCE_DESCRIPTIONS: Readonly<Record<MaintenanceEventCode, string>> = {
  'instance-reboot': 'scheduled reboot',
  'system-reboot': 'scheduled system reboot',
  'system-maintenance': 'scheduled system maintenance',
  'instance-retirement': 'scheduled instance retirement',
  'instance-stop': 'scheduled instance stop',
};

/** An event id of the real shape (`instance-event-` and 17 hex digits), derived from a seed text. */
export function maintenanceEventId(seed: string): string {
  return `instance-event-${createHash('sha256').update(seed).digest('hex').slice(0, 17)}`;
}

/**
 * A scheduled maintenance event: listed under `events/maintenance/scheduled` (state `active`)
 * from `when`; once `completed` or `canceled` (whichever comes first) it moves to
 * `events/maintenance/history` with that state and its description prefixed `[Completed]` or
 * `[Canceled]`, as EC2 shows past events.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-instances-status-check_sched.html
 */
export function maintenanceEvent(
  spec: MaintenanceEventSpec,
  anchor: number,
  eventId: string,
): ScenarioEffect {
  const appearsAt = resolveMoment(spec.when, anchor);
  const endings = [
    ...(spec.completed
      ? [{ at: resolveMoment(spec.completed, anchor), state: 'completed' as const, label: '[Completed]' }]
      : []),
    ...(spec.canceled
      ? [{ at: resolveMoment(spec.canceled, anchor), state: 'canceled' as const, label: '[Canceled]' }]
      : []),
  ].sort((a, b) => a.at - b.at);
  const scheduled: MaintenanceEvent = {
    eventId,
    code: spec.code,
    description: spec.description ?? MAINTENANCE_DESCRIPTIONS[spec.code],
    state: 'active',
    notBefore: resolveMoment(spec.notBefore, anchor),
    notAfter: resolveMoment(spec.notAfter, anchor),
    ...(spec.notBeforeDeadline ? { notBeforeDeadline: resolveMoment(spec.notBeforeDeadline, anchor) } : {}),
  };
  const ending = endings[0];
  const past: MaintenanceEvent | undefined = ending && {
    ...scheduled,
    state: ending.state,
    description: `${ending.label} ${scheduled.description}`,
  };
  return {
    changesAt: [...new Set([appearsAt, ...(ending ? [Math.max(ending.at, appearsAt)] : [])])],
    apply: (state, now) =>
      withInstance(state, (instance) => {
        if (now < appearsAt) return instance;
        const event = past && ending && now >= ending.at ? past : scheduled;
        const others = instance.maintenanceEvents.filter((each) => each.eventId !== eventId);
        // Listed by window start (then id), so the order does not depend on when each event last changed.
        const events = [...others, event].sort(
          (a, b) => a.notBefore - b.notBefore || (a.eventId < b.eventId ? -1 : 1),
        );
        return { ...instance, maintenanceEvents: events };
      }),
  };
}
