import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { afterEach, describe, expect, it } from 'vitest';
import { serveOnLoopback, T0, type Served } from './http.js';

let served: Served | undefined;
afterEach(() => served?.close());

describe('spot interruption', () => {
  it('is 404 before the notice, then names the action and a time fixed two minutes after issue', async () => {
    served = await serveOnLoopback({
      scenarios: [{ type: 'spot-interruption', action: 'stop', when: { after: 90_000 } }],
    });
    const { get, clock } = served;
    expect((await get('/latest/meta-data/instance-life-cycle')).body).toBe('spot');
    expect((await get('/latest/meta-data/spot/instance-action')).status).toBe(404);
    expect((await get('/latest/meta-data/spot/termination-time')).status).toBe(404);
    expect((await get('/latest/meta-data/')).body.split('\n')).not.toContain('spot/');

    clock.advance(89_999);
    expect((await get('/latest/meta-data/spot/instance-action')).status).toBe(404);
    clock.advance(1);
    const actionTime = new Date(T0 + 90_000 + 120_000).toISOString().replace('.000Z', 'Z');
    const action = await get('/latest/meta-data/spot/instance-action');
    expect(action.status).toBe(200);
    expect(action.body).toBe(`{"action": "stop", "time": "${actionTime}"}`);
    expect(JSON.parse(action.body)).toEqual({ action: 'stop', time: actionTime });
    // termination-time holds a time only when EC2 terminates the instance; a stop notice has none.
    expect((await get('/latest/meta-data/spot/termination-time')).status).toBe(404);
    expect((await get('/latest/meta-data/spot/')).body).toBe('instance-action');
    expect((await get('/latest/meta-data/')).body.split('\n')).toContain('spot/');

    clock.advance(60_000);
    expect(JSON.parse((await get('/latest/meta-data/spot/instance-action')).body).time).toBe(actionTime);
  });

  it('can be issued at an absolute time, and hibernate is an action too', async () => {
    const at = T0 + 3_600_000;
    served = await serveOnLoopback({
      scenarios: [{ type: 'spot-interruption', action: 'hibernate', when: { at } }],
    });
    served.clock.set(at - 1);
    expect((await served.get('/latest/meta-data/spot/instance-action')).status).toBe(404);
    served.clock.set(at);
    expect(JSON.parse((await served.get('/latest/meta-data/spot/instance-action')).body)).toEqual({
      action: 'hibernate',
      time: new Date(at + 120_000).toISOString().replace('.000Z', 'Z'),
    });
  });

  it('keeps the earliest notice when two are due, whatever order they were added in', async () => {
    served = await serveOnLoopback({
      scenarios: [
        { type: 'spot-interruption', action: 'terminate', when: { after: 300_000 } },
        { type: 'spot-interruption', action: 'stop', when: { after: 60_000 } },
      ],
    });
    served.clock.advance(400_000);
    expect(JSON.parse((await served.get('/latest/meta-data/spot/instance-action')).body).action).toBe('stop');
  });

  it('is seen by the AWS SDK MetadataService', async () => {
    served = await serveOnLoopback({
      scenarios: [{ type: 'spot-interruption', action: 'terminate', when: { after: 30_000 } }],
    });
    const sdk = new MetadataService({
      endpoint: served.url,
      ec2MetadataV1Disabled: true,
      retries: 0,
      httpOptions: { timeout: 2_000 },
    });
    await expect(sdk.request('/latest/meta-data/spot/instance-action', {})).rejects.toThrow();
    served.clock.advance(30_000);
    const notice = JSON.parse(await sdk.request('/latest/meta-data/spot/instance-action', {}));
    expect(notice.action).toBe('terminate');
    expect(Date.parse(notice.time)).toBe(T0 + 150_000);
    // A terminate notice also sets termination-time, to the same moment.
    expect(await sdk.request('/latest/meta-data/spot/termination-time', {})).toBe(notice.time);
  });
});
