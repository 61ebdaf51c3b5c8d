import { afterEach, describe, expect, it } from 'vitest';
import { serveOnLoopback, type Served } from './http.js';

let served: Served | undefined;
afterEach(() => served?.close());

describe('timed values (set-value, remove-value)', () => {
  it('a tag appears, changes and disappears at its times', async () => {
    served = await serveOnLoopback({
      scenarios: [
        { type: 'set-value', path: 'meta-data/tags/instance/Stage', value: 'blue', when: { after: 60_000 } },
        {
          type: 'set-value',
          path: 'meta-data/tags/instance/Stage',
          value: 'green',
          when: { after: 120_000 },
        },
        { type: 'remove-value', path: 'meta-data/tags/instance/Stage', when: { after: 180_000 } },
      ],
    });
    const { get, clock } = served;
    const path = '/latest/meta-data/tags/instance/Stage';
    expect((await get(path)).status).toBe(404);
    clock.advance(60_000);
    expect((await get(path)).body).toBe('blue');
    expect((await get('/latest/meta-data/tags/instance')).body).toBe('Stage');
    clock.advance(60_000);
    expect((await get(path)).body).toBe('green');
    clock.advance(60_000);
    expect((await get(path)).status).toBe(404);
  });

  it('a value set at run time wins over a timed one already applied, and a later timed one wins over it', async () => {
    served = await serveOnLoopback({
      scenarios: [
        { type: 'set-value', path: 'meta-data/ami-id', value: 'ami-00000000000000001', when: { after: 0 } },
        {
          type: 'set-value',
          path: 'meta-data/ami-id',
          value: 'ami-00000000000000003',
          when: { after: 60_000 },
        },
      ],
    });
    const { get, clock, emulator } = served;
    expect((await get('/latest/meta-data/ami-id')).body).toBe('ami-00000000000000001');
    emulator.setValue('meta-data/ami-id', 'ami-00000000000000002');
    expect((await get('/latest/meta-data/ami-id')).body).toBe('ami-00000000000000002');
    clock.advance(60_000);
    expect((await get('/latest/meta-data/ami-id')).body).toBe('ami-00000000000000003');
  });
});
