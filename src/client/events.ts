/**
 * The notices a node-draining script watches: spot interruption, rebalance recommendation,
 * scheduled maintenance, Auto Scaling target lifecycle state. Times become `Date`s.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-instances-status-check_sched.html
 */
import {
  dateField,
  malformed,
  optionalStringField,
  parseJsonObject,
  parseJsonSafely,
  stringField,
} from './json.js';

/** `spot/instance-action`: what happens to the spot instance, and when. */
export interface SpotInstanceAction {
  /** `terminate`, `stop` or `hibernate`. */
  readonly action: string;
  readonly time: Date;
}

/** `events/recommendations/rebalance`: when the rebalance recommendation was issued. */
export interface RebalanceRecommendation {
  readonly noticeTime: Date;
}

/** One entry of `events/maintenance/scheduled`. */
export interface ScheduledEvent {
  /** `instance-reboot`, `system-reboot`, `system-maintenance`, `instance-retirement`, `instance-stop`. */
  readonly code: string;
  readonly description: string;
  readonly eventId: string;
  /** `active`, `completed` or `canceled`. */
  readonly state: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly notBeforeDeadline?: Date;
}

/** Paths under `meta-data/`, declared once for the client and `imds watch`. */
export const EVENT_PATHS = {
  spotInstanceAction: 'spot/instance-action',
  rebalanceRecommendation: 'events/recommendations/rebalance',
  scheduledEvents: 'events/maintenance/scheduled',
  targetLifecycleState: 'autoscaling/target-lifecycle-state',
} as const;

export function parseSpotInstanceAction(text: string, path: string): SpotInstanceAction {
  const notice = parseJsonObject(text, path);
  return { action: stringField(notice, 'action', path), time: dateField(notice, 'time', path) };
}

export function parseRebalanceRecommendation(text: string, path: string): RebalanceRecommendation {
  return { noticeTime: dateField(parseJsonObject(text, path), 'noticeTime', path) };
}

export function parseScheduledEvents(text: string, path: string): ScheduledEvent[] {
  const list = parseJsonSafely(text, path);
  if (!Array.isArray(list)) throw malformed(path, 'is not a JSON array');
  return list.map((item) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      throw malformed(path, 'has an entry that is not an object');
    const deadline = optionalStringField(item, 'NotBeforeDeadline', path);
    return {
      code: stringField(item, 'Code', path),
      description: stringField(item, 'Description', path),
      eventId: stringField(item, 'EventId', path),
      state: stringField(item, 'State', path),
      notBefore: dateField(item, 'NotBefore', path, parseEventTime),
      notAfter: dateField(item, 'NotAfter', path, parseEventTime),
      ...(deadline === undefined
        ? {}
        : { notBeforeDeadline: dateField(item, 'NotBeforeDeadline', path, parseEventTime) }),
    };
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const EVENT_TIME = /^(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/**
 * Event times as the service writes them (`21 Jan 2019 09:00:43 GMT`), parsed by rule rather
 * than by `Date.parse`, whose handling of this form is engine-specific. Epoch ms, or NaN.
 */
export function parseEventTime(text: string): number {
  const match = EVENT_TIME.exec(text);
  if (!match) return Number.NaN;
  const [, day, month, year, hours, minutes, seconds] = match;
  const monthIndex = MONTHS.indexOf(month as string);
  if (monthIndex < 0) return Number.NaN;
  return Date.UTC(Number(year), monthIndex, Number(day), Number(hours), Number(minutes), Number(seconds));
}
