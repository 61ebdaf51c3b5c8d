import { afterEach, describe, expect, it } from 'vitest';
import { serveOnLoopback, T0, type Served } from './http.js';

let served: Served | undefined;
afterEach(() => served?.close());
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('rebalance recommendation', () => {
  it('is 404 until issued, then carries the noticeTime fixed at issue', async () => {
    served = await serveOnLoopback({
      scenarios: [{ type: 'rebalance-recommendation', when: { after: 600_000 } }],
    });
    const { get, clock } = served;
    expect((await get('/latest/meta-data/events/recommendations/rebalance')).status).toBe(404);
    expect((await get('/latest/meta-data/events/')).body).toBe('maintenance/');
    clock.advance(600_000);
    const notice = await get('/latest/meta-data/events/recommendations/rebalance');
    expect(notice.status).toBe(200);
    expect(notice.body).toBe(`{"noticeTime": "${iso(T0 + 600_000)}"}`);
    expect((await get('/latest/meta-data/events/')).body).toBe('maintenance/\nrecommendations/');
    clock.advance(3_600_000);
    expect(
      JSON.parse((await get('/latest/meta-data/events/recommendations/rebalance')).body).noticeTime,
    ).toBe(iso(T0 + 600_000));
  });

  it('issued at an absolute time, combined with a spot notice later', async () => {
    served = await serveOnLoopback({
      scenarios: [
        { type: 'rebalance-recommendation', when: { at: T0 + 60_000 } },
        { type: 'spot-interruption', action: 'terminate', when: { after: 180_000 } },
      ],
    });
    const { get, clock } = served;
    clock.advance(60_000);
    expect((await get('/latest/meta-data/events/recommendations/rebalance')).status).toBe(200);
    expect((await get('/latest/meta-data/spot/instance-action')).status).toBe(404);
    clock.advance(120_000);
    expect((await get('/latest/meta-data/spot/instance-action')).status).toBe(200);
    expect(
      JSON.parse((await get('/latest/meta-data/events/recommendations/rebalance')).body).noticeTime,
    ).toBe(iso(T0 + 60_000));
  });
});
