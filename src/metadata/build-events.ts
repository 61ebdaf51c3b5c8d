import { awsPrettyJson, isoSeconds } from './aws-json.js';
import type { InstanceDescription, MaintenanceEvent } from './instance.js';
import { dir, leaf, type MetadataNode } from './tree.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Event times as the service writes them: `21 Jan 2019 09:00:43 GMT`. */
export function eventTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT`;
}

function eventJson(events: readonly MaintenanceEvent[]): string {
  return awsPrettyJson(
    events.map((event) => ({
      NotBefore: eventTime(event.notBefore),
      Code: event.code,
      Description: event.description,
      EventId: event.eventId,
      NotAfter: eventTime(event.notAfter),
      State: event.state,
      ...(event.notBeforeDeadline === undefined
        ? {}
        : { NotBeforeDeadline: eventTime(event.notBeforeDeadline) }),
    })),
  );
}

/** `events/`: maintenance (scheduled and history) always; `recommendations/rebalance` once issued. */
export function eventsDirectory(instance: InstanceDescription): MetadataNode {
  const scheduled = instance.maintenanceEvents.filter((event) => event.state === 'active');
  const history = instance.maintenanceEvents.filter((event) => event.state !== 'active');
  const rebalance =
    instance.rebalanceNoticeTime === undefined
      ? undefined
      : dir(
          [
            [
              'rebalance',
              leaf(
                JSON.stringify({ noticeTime: isoSeconds(instance.rebalanceNoticeTime) }).replace('":', '": '),
                '2020-10-27',
              ),
            ],
          ],
          '2020-10-27',
        );
  return dir(
    [
      [
        'maintenance',
        dir(
          [
            ['history', leaf(eventJson(history))],
            ['scheduled', leaf(eventJson(scheduled))],
          ],
          '2018-08-17',
        ),
      ],
      ['recommendations', rebalance],
    ],
    '2018-08-17',
  );
}

/**
 * `spot/`: present only once an interruption notice is issued. `termination-time` is there only
 * when the action is `terminate`: the user guide says it holds a time only if EC2 marked the
 * instance for termination, so a `stop` or `hibernate` notice shows `instance-action` alone.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
 */
export function spotDirectory(instance: InstanceDescription): MetadataNode | undefined {
  const notice = instance.spotNotice;
  if (!notice) return undefined;
  const time = isoSeconds(notice.time);
  return dir(
    [
      ['instance-action', leaf(`{"action": "${notice.action}", "time": "${time}"}`, '2016-11-15')],
      ['termination-time', notice.action === 'terminate' ? leaf(time, '2014-11-05') : undefined],
    ],
    '2014-11-05',
  );
}
