/** The `startFleet` fixture: checked options, reset, and its handles. */
import { describe, expect, it } from 'vitest';
import { ConfigError, startFleet } from '../../src/testing/index.js';
import { exchange, read, tokenFrom } from './loopback-get.js';

describe('startFleet', () => {
  it('refuses a bad fleet with the file messages, naming startFleet and the key', async () => {
    const failure = startFleet({ fleet: { template: { count: 0 } } });
    await expect(failure).rejects.toThrow(ConfigError);
    await expect(failure).rejects.toThrow(
      /startFleet: fleet\.template\.count: expected a number of instances from 1 to 100000/,
    );
  });

  it('reset removes scenarios added since the start and keeps tokens valid', async () => {
    await using fleet = await startFleet({ fleet: { template: { count: 2, sources: '127.0.0.2' } } });
    const token = await tokenFrom(fleet.url, '127.0.0.3');
    const reached = fleet.trigger('all', { type: 'rebalance-recommendation' });
    expect(reached.map((each) => each.instanceId)).toEqual(fleet.ids);
    const path = '/latest/meta-data/events/recommendations/rebalance';
    expect((await read(fleet.url, path, '127.0.0.3')).status).toBe(200);
    fleet.reset();
    expect(fleet.requests).toEqual([]);
    const after = await exchange(fleet.url, path, {
      from: '127.0.0.3',
      headers: { 'x-aws-ec2-metadata-token': token },
    });
    expect(after.status).toBe(404);
    expect(fleet.instance(fleet.ids[1] as string).controller.scenarios()).toEqual([]);
  });

  it('moves one clock for every instance', async () => {
    await using fleet = await startFleet({
      now: '2024-03-01T09:00:00Z',
      scenarios: [{ type: 'spot-interruption', action: 'stop', after: '2m' }],
      fleet: { template: { count: 2, sources: '127.0.0.2' } },
    });
    const path = '/latest/meta-data/spot/instance-action';
    expect((await read(fleet.url, path, '127.0.0.2')).status).toBe(404);
    fleet.clock.advance('2m');
    const answers = await Promise.all(['127.0.0.2', '127.0.0.3'].map((from) => read(fleet.url, path, from)));
    expect(answers.map((answer) => JSON.parse(answer.body))).toEqual([
      { action: 'stop', time: '2024-03-01T09:04:00Z' },
      { action: 'stop', time: '2024-03-01T09:04:00Z' },
    ]);
  });
});
