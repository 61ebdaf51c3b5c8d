/**
 * The scenarios as this project's own client sees them: a fresh client per read, over a loopback
 * socket, while the emulator's clock is moved by the test.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ImdsClient } from '../../src/client/index.js';
import { serveOnLoopback, T0, type Served } from './http.js';

let served: Served | undefined;
afterEach(() => served?.close());

const MIN = 60_000;

describe('scenarios through the ec2-imds client', () => {
  it('spot, rebalance, maintenance and lifecycle combine on one timeline', async () => {
    served = await serveOnLoopback({
      scenarios: [
        {
          type: 'autoscaling-lifecycle',
          steps: [
            { state: 'InService', after: 0 },
            { state: 'Terminated', after: 10 * MIN },
          ],
        },
        { type: 'rebalance-recommendation', when: { after: 2 * MIN } },
        { type: 'spot-interruption', action: 'terminate', when: { after: 5 * MIN } },
        {
          type: 'maintenance-event',
          code: 'instance-retirement',
          eventId: 'instance-event-00000000000000001',
          notBefore: { after: 60 * MIN },
          notAfter: { after: 120 * MIN },
        },
      ],
    });
    const client = () => new ImdsClient({ endpoint: served!.url, env: {} });

    expect(await client().targetLifecycleState()).toBe('InService');
    expect(await client().rebalanceRecommendation()).toBeNull();
    expect(await client().spotInstanceAction()).toBeNull();
    const events = await client().scheduledEvents();
    expect(events).toHaveLength(1);
    expect(events?.[0]).toMatchObject({
      code: 'instance-retirement',
      state: 'active',
      eventId: 'instance-event-00000000000000001',
    });
    expect(events?.[0]?.notBefore.getTime()).toBe(T0 + 60 * MIN);

    served.clock.advance(2 * MIN);
    expect((await client().rebalanceRecommendation())?.noticeTime.getTime()).toBe(T0 + 2 * MIN);
    expect(await client().spotInstanceAction()).toBeNull();

    served.clock.advance(3 * MIN);
    const notice = await client().spotInstanceAction();
    expect(notice?.action).toBe('terminate');
    expect(notice?.time.getTime()).toBe(T0 + 7 * MIN);

    served.clock.advance(5 * MIN);
    expect(await client().targetLifecycleState()).toBe('Terminated');
  });

  it('rotated credentials and tags set at run time', async () => {
    served = await serveOnLoopback();
    served.clock.set(Date.now());
    const client = () => new ImdsClient({ endpoint: served!.url, env: {} });
    const before = await client().iamCredentials();
    served.emulator.timeline.add({ type: 'credential-rotation' }, served.clock.now());
    const after = await client().iamCredentials();
    expect(after.accessKeyId).not.toBe(before.accessKeyId);
    expect(after.lastUpdated?.getTime()).toBe(Math.floor(served.clock.now() / 1000) * 1000);
    expect(await client().tags()).toBeNull();
    served.emulator.setValue('meta-data/tags/instance/Name', 'web-1');
    expect(await client().tags()).toEqual({ Name: 'web-1' });
  });
});
