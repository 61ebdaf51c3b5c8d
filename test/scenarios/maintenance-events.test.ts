import { afterEach, describe, expect, it } from 'vitest';
import { eventTime } from '../../src/metadata/build-events.js';
import { serveOnLoopback, T0, type Served } from './http.js';

let served: Served | undefined;
afterEach(() => served?.close());
const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('scheduled maintenance events', () => {
  it('lists any number of events with codes, windows and states; completed and canceled ones move to history', async () => {
    served = await serveOnLoopback({
      scenarios: [
        {
          type: 'maintenance-event',
          code: 'system-reboot',
          eventId: 'instance-event-0d59937288b749b32',
          notBefore: { after: DAY },
          notAfter: { after: DAY + 2 * HOUR },
          completed: { after: DAY + HOUR },
        },
        {
          type: 'maintenance-event',
          code: 'instance-retirement',
          notBefore: { at: T0 + 7 * DAY },
          notAfter: { at: T0 + 8 * DAY },
          notBeforeDeadline: { at: T0 + 9 * DAY },
        },
        {
          type: 'maintenance-event',
          code: 'instance-stop',
          description: 'planned stop',
          when: { after: HOUR },
          notBefore: { after: 2 * DAY },
          notAfter: { after: 3 * DAY },
          canceled: { after: 5 * HOUR },
        },
      ],
    });
    const { get, clock } = served;
    const scheduled = async () =>
      JSON.parse((await get('/latest/meta-data/events/maintenance/scheduled')).body) as Record<
        string,
        string
      >[];
    const history = async () =>
      JSON.parse((await get('/latest/meta-data/events/maintenance/history')).body) as Record<
        string,
        string
      >[];

    const first = await scheduled();
    expect(first.map((event) => event.Code)).toEqual(['system-reboot', 'instance-retirement']);
    expect(first[0]).toEqual({
      NotBefore: eventTime(T0 + DAY),
      Code: 'system-reboot',
      Description: 'scheduled system reboot',
      EventId: 'instance-event-0d59937288b749b32',
      NotAfter: eventTime(T0 + DAY + 2 * HOUR),
      State: 'active',
    });
    expect(first[1]?.NotBeforeDeadline).toBe(eventTime(T0 + 9 * DAY));
    expect(first[1]?.EventId).toMatch(/^instance-event-[0-9a-f]{17}$/);
    expect(await history()).toEqual([]);
    expect((await get('/latest/meta-data/events/maintenance/history')).body).toBe('[]');

    clock.advance(HOUR);
    // Listed by window start.
    expect((await scheduled()).map((event) => event.Code)).toEqual([
      'system-reboot',
      'instance-stop',
      'instance-retirement',
    ]);

    clock.advance(4 * HOUR);
    const afterCancel = await history();
    expect(afterCancel).toHaveLength(1);
    expect(afterCancel[0]).toMatchObject({
      Code: 'instance-stop',
      State: 'canceled',
      Description: '[Canceled] planned stop',
    });
    expect((await scheduled()).map((event) => event.Code)).toEqual(['system-reboot', 'instance-retirement']);

    clock.advance(DAY);
    expect((await history()).map((event) => [event.Code, event.State, event.Description])).toEqual([
      ['system-reboot', 'completed', '[Completed] scheduled system reboot'],
      ['instance-stop', 'canceled', '[Canceled] planned stop'],
    ]);
    expect((await scheduled()).map((event) => event.Code)).toEqual(['instance-retirement']);
  });

  it("the raw body is the service's pretty-printed JSON", async () => {
    served = await serveOnLoopback({
      scenarios: [
        {
          type: 'maintenance-event',
          code: 'instance-reboot',
          eventId: 'instance-event-0123456789abcdef0',
          notBefore: { at: Date.UTC(2019, 0, 21, 9, 0, 43) },
          notAfter: { at: Date.UTC(2019, 0, 21, 9, 17, 23) },
        },
      ],
    });
    expect((await served.get('/latest/meta-data/events/maintenance/scheduled')).body).toBe(
      '[ {\n  "NotBefore" : "21 Jan 2019 09:00:43 GMT",\n  "Code" : "instance-reboot",\n  "Description" : "scheduled reboot",\n  "EventId" : "instance-event-0123456789abcdef0",\n  "NotAfter" : "21 Jan 2019 09:17:23 GMT",\n  "State" : "active"\n} ]',
    );
  });
});
