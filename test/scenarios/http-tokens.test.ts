import { afterEach, describe, expect, it } from 'vitest';
import { serveOnLoopback, type Served } from './http.js';

let served: Served | undefined;
afterEach(() => served?.close());

describe('IMDSv2 switched on (http-tokens)', () => {
  it('token-less reads work until the switch, then get 401; token reads work throughout', async () => {
    served = await serveOnLoopback({
      httpTokens: 'optional',
      scenarios: [{ type: 'http-tokens', mode: 'required', when: { after: 600_000 } }],
    });
    const { getV1, get, clock, emulator } = served;
    expect((await getV1('/latest/meta-data/instance-id')).status).toBe(200);
    clock.advance(600_000);
    expect((await getV1('/latest/meta-data/instance-id')).status).toBe(401);
    expect((await get('/latest/meta-data/instance-id')).status).toBe(200);
    const versions = emulator.requests
      .entries()
      .filter((entry) => entry.method === 'GET')
      .map((entry) => `${entry.access}:${entry.status}`);
    expect(versions).toEqual(['v1:200', 'v1:401', 'v2:200']);
  });

  it('the most recent switch wins, whatever order the switches were written in', async () => {
    served = await serveOnLoopback({
      httpTokens: 'optional',
      scenarios: [
        { type: 'http-tokens', mode: 'optional', when: { after: 20 * 60_000 } },
        { type: 'http-tokens', mode: 'required', when: { after: 10 * 60_000 } },
      ],
    });
    const { getV1, clock } = served;
    clock.advance(15 * 60_000);
    expect((await getV1('/latest/meta-data/instance-id')).status).toBe(401);
    clock.advance(5 * 60_000);
    expect((await getV1('/latest/meta-data/instance-id')).status).toBe(200);
  });

  it('setting the mode at run time supersedes a switch already made, not one still to come', async () => {
    served = await serveOnLoopback({
      httpTokens: 'optional',
      scenarios: [
        { type: 'http-tokens', mode: 'required', when: { after: 60_000 } },
        { type: 'http-tokens', mode: 'required', when: { after: 600_000 } },
      ],
    });
    const { getV1, clock, emulator } = served;
    clock.advance(60_000);
    expect((await getV1('/latest/meta-data/instance-id')).status).toBe(401);
    emulator.setHttpTokens('optional');
    expect((await getV1('/latest/meta-data/instance-id')).status).toBe(200);
    expect(emulator.timeline.list()).toHaveLength(1);
    clock.advance(540_000);
    expect((await getV1('/latest/meta-data/instance-id')).status).toBe(401);
  });
});
