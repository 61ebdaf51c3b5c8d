/**
 * Thousands of values and value scenarios: they are applied in one pass per state change (the
 * cost is a figure of `npm run bench`, not asserted here), give the same answers as one at a time,
 * and are capped with a clear error instead of slowing every request down without limit.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { handleControl } from '../../src/control/control-routes.js';
import { Controller } from '../../src/control/controller.js';
import { buildOverrides } from '../../src/metadata/overrides.js';
import { dir, leaf, listing, lookup, type Directory } from '../../src/metadata/tree.js';
import { MAX_SCENARIOS, MAX_VALUES, ScenarioError } from '../../src/scenarios/scenario-error.js';
import { Emulator } from '../../src/server/emulator.js';
import type { ImdsRequest } from '../../src/server/exchange.js';
import { T0 } from './http.js';

const get = (emulator: Emulator, path: string) => {
  const request: ImdsRequest = {
    method: 'GET',
    target: path,
    headers: new Map(),
    remoteAddress: '127.0.0.1',
  };
  const outcome = emulator.handle(request);
  if (!('status' in outcome)) throw new Error('no response');
  return { status: outcome.status, body: Buffer.from(outcome.body ?? []).toString('utf8') };
};

describe('many values', () => {
  it(`serves ${MAX_VALUES} values set one by one, newest edit of a path last`, () => {
    const emulator = new Emulator({ clock: new ManualClock(T0), httpTokens: 'optional' });
    const controller = new Controller(emulator);
    for (let index = 0; index < MAX_VALUES; index++)
      controller.set(`meta-data/tags/instance/k${index}`, `v${index}`);
    controller.set('meta-data/tags/instance/k0', 'again');
    controller.remove('meta-data/tags/instance/k1');
    expect(get(emulator, '/latest/meta-data/tags/instance/k0').body).toBe('again');
    expect(get(emulator, '/latest/meta-data/tags/instance/k1').status).toBe(404);
    expect(get(emulator, `/latest/meta-data/tags/instance/k${MAX_VALUES - 1}`).body).toBe(
      `v${MAX_VALUES - 1}`,
    );
    const names = get(emulator, '/latest/meta-data/tags/instance').body.split('\n');
    expect(names).toHaveLength(MAX_VALUES - 1);
    const values = Object.keys(controller.state().values);
    expect(values).toHaveLength(MAX_VALUES);
    expect(values.at(-1)).toBe('meta-data/tags/instance/k1');
  });

  it('refuses one value more than the cap, with a 409 naming the limit; editing a set path still works', () => {
    const emulator = new Emulator({ clock: new ManualClock(T0), httpTokens: 'optional' });
    const controller = new Controller(emulator);
    for (let index = 0; index < MAX_VALUES; index++) controller.set(`meta-data/tags/instance/k${index}`, 'x');
    expect(() => controller.set('meta-data/tags/instance/one-more', 'x')).toThrow(ScenarioError);
    const answer = handleControl(
      {
        method: 'PUT',
        segments: ['values', 'meta-data', 'tags', 'instance', 'one-more'],
        query: new URLSearchParams(),
        contentType: 'application/json',
        body: '"x"',
      },
      controller,
    );
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual({
      error: 'too-many',
      message: `cannot set meta-data/tags/instance/one-more: at most ${MAX_VALUES} paths can be set or removed; remove some first, or reset`,
    });
    controller.set('meta-data/tags/instance/k5', 'edited');
    expect(get(emulator, '/latest/meta-data/tags/instance/k5').body).toBe('edited');
    controller.reset();
    controller.set('meta-data/tags/instance/one-more', 'x');
    expect(get(emulator, '/latest/meta-data/tags/instance/one-more').body).toBe('x');
  });
});

describe('many value scenarios', () => {
  it('applies thousands of timed edits as one at a time would, at their times', () => {
    const clock = new ManualClock(T0);
    const emulator = new Emulator({ clock, httpTokens: 'optional' });
    const controller = new Controller(emulator);
    for (let index = 0; index < 3_000; index++)
      controller.trigger({
        type: 'set-value',
        path: `meta-data/tags/instance/k${index % 1_000}`,
        value: `v${index}`,
        after: `${1 + Math.floor(index / 1_000)}m`,
      });
    controller.trigger({ type: 'http-tokens', mode: 'required', after: '2m' });
    controller.trigger({ type: 'remove-value', path: 'meta-data/tags/instance/k7', after: '3m' });
    expect(get(emulator, '/latest/meta-data/tags/instance/k0').status).toBe(404);
    clock.advance(60_000);
    expect(get(emulator, '/latest/meta-data/tags/instance/k999').body).toBe('v999');
    clock.advance(60_000);
    expect(emulator.stateAt().httpTokens).toBe('required');
    expect(emulator.stateAt().instance.overrides?.['meta-data/tags/instance/k999']).toBe('v1999');
    clock.advance(60_000);
    const overrides = emulator.stateAt().instance.overrides ?? {};
    expect(overrides['meta-data/tags/instance/k0']).toBe('v2000');
    expect(overrides['meta-data/tags/instance/k7']).toBeNull();
    expect(Object.keys(overrides)).toHaveLength(1_000);
  });

  it(`refuses scenario number ${MAX_SCENARIOS + 1} with a 409 and a clear message`, () => {
    const emulator = new Emulator({ clock: new ManualClock(T0) });
    for (let index = 0; index < MAX_SCENARIOS; index++)
      emulator.timeline.add(
        { type: 'set-value', path: `meta-data/tags/instance/k${index}`, value: 'x', when: { after: 0 } },
        T0,
      );
    const answer = handleControl(
      {
        method: 'POST',
        segments: ['scenarios'],
        query: new URLSearchParams(),
        contentType: 'application/json',
        body: '{"type":"rebalance-recommendation"}',
      },
      new Controller(emulator),
    );
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ error: 'too-many' });
    expect((answer.body as { message: string }).message).toContain(`at most ${MAX_SCENARIOS} scenarios`);
    expect(emulator.timeline.list()).toHaveLength(MAX_SCENARIOS);
  });
});

describe('buildOverrides in one pass', () => {
  it('matches edit-by-edit semantics: later edits win, removing then setting recreates, the input is untouched', () => {
    const root: Directory = dir([
      [
        'meta-data',
        dir([
          ['ami-id', leaf('ami-1')],
          ['tags', dir([['instance', dir([['Name', leaf('web')]])]])],
        ]),
      ],
    ]);
    const built = buildOverrides(root, {
      'meta-data/tags': null,
      'meta-data/tags/instance/Stage': 'blue',
      'meta-data/ami-id/below-a-leaf': null,
      'meta-data/ami-id': 'ami-2',
      'meta-data/new/deep/leaf': 'x',
      'meta-data/missing/node': null,
    });
    const text = (path: string) => {
      const node = lookup(built, path.split('/'), 'latest');
      return node?.kind === 'leaf' ? Buffer.from(node.body).toString() : node && listing(node, 'latest');
    };
    expect(text('meta-data/tags/instance')).toBe('Stage');
    expect(text('meta-data/ami-id')).toBe('ami-2');
    expect(text('meta-data/new/deep/leaf')).toBe('x');
    expect(text('meta-data')).toBe('ami-id\ntags/\nnew/');
    // The original tree is shared by every build and must not change.
    expect(listing(lookup(root, ['meta-data', 'tags', 'instance'], 'latest') as Directory, 'latest')).toBe(
      'Name',
    );
    expect(buildOverrides(root, {})).toBe(root);
  });
});
