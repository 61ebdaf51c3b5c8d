import { afterEach, describe, expect, it } from 'vitest';
import { serveOnLoopback, type Served } from './http.js';

let served: Served | undefined;
afterEach(() => served?.close());

describe('Auto Scaling target lifecycle state', () => {
  it('is absent before the first step, then follows the sequence at its times', async () => {
    served = await serveOnLoopback({
      scenarios: [
        {
          type: 'autoscaling-lifecycle',
          steps: [
            { state: 'Warmed:Stopped', after: 30_000 },
            { state: 'InService', after: 120_000 },
            { state: 'Terminated', after: 600_000 },
          ],
        },
      ],
    });
    const { get, clock } = served;
    const path = '/latest/meta-data/autoscaling/target-lifecycle-state';
    expect((await get(path)).status).toBe(404);
    expect((await get('/latest/meta-data/')).body.split('\n')).not.toContain('autoscaling/');
    clock.advance(30_000);
    expect((await get(path)).body).toBe('Warmed:Stopped');
    expect((await get('/latest/meta-data/autoscaling/')).body).toBe('target-lifecycle-state');
    clock.advance(89_999);
    expect((await get(path)).body).toBe('Warmed:Stopped');
    clock.advance(1);
    expect((await get(path)).body).toBe('InService');
    clock.advance(480_000);
    expect((await get(path)).body).toBe('Terminated');
  });

  it('a first step at 0 is there from the start', async () => {
    served = await serveOnLoopback({
      scenarios: [
        {
          type: 'autoscaling-lifecycle',
          steps: [
            { state: 'InService', after: 0 },
            { state: 'Standby', after: 60_000 },
          ],
        },
      ],
    });
    expect((await served.get('/latest/meta-data/autoscaling/target-lifecycle-state')).body).toBe('InService');
    served.clock.advance(60_000);
    expect((await served.get('/latest/meta-data/autoscaling/target-lifecycle-state')).body).toBe('Standby');
  });
});
