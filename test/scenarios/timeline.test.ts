import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import { ScenarioError } from '../../src/scenarios/scenario-error.js';
import type { ServiceState } from '../../src/scenarios/service-state.js';
import { Timeline } from '../../src/scenarios/timeline.js';

const base: ServiceState = {
  instance: DEFAULT_INSTANCE,
  httpTokens: 'required',
  httpEndpoint: 'enabled',
  faults: [],
};
const T = 1_000_000;

describe('Timeline', () => {
  it('computes a state once per step and reuses it until the next instant', () => {
    const timeline = new Timeline();
    timeline.add({ type: 'rebalance-recommendation', when: { after: 100 } }, T);
    timeline.add({ type: 'latency', delayMs: 5, when: { after: 50 }, durationMs: 100 }, T);
    const early = timeline.stateAt(base, T);
    expect(early).toBe(base);
    expect(timeline.stateAt(base, T + 49)).toBe(early);
    const withLatency = timeline.stateAt(base, T + 50);
    expect(withLatency.faults.map((fault) => fault.id)).toEqual(['latency-1']);
    expect(timeline.stateAt(base, T + 99)).toBe(withLatency);
    const both = timeline.stateAt(base, T + 100);
    expect(both).not.toBe(withLatency);
    expect(both.instance.rebalanceNoticeTime).toBe(T + 100);
    expect(timeline.stateAt(base, T + 150).faults).toEqual([]);
    expect(timeline.stateAt(base, T + 10).faults).toEqual([]);
  });

  it('recomputes when the base or the scenarios change', () => {
    const timeline = new Timeline();
    const first = timeline.stateAt(base, T);
    const other = { ...base, httpTokens: 'optional' as const };
    expect(timeline.stateAt(other, T)).toBe(other);
    timeline.add({ type: 'http-tokens', mode: 'required' }, T);
    expect(timeline.stateAt(other, T).httpTokens).toBe('required');
    expect(first).toBe(base);
  });

  it('names scenarios by type, refuses a duplicate id and an unknown one', () => {
    const timeline = new Timeline();
    expect(timeline.add({ type: 'rebalance-recommendation' }, T).id).toBe('rebalance-recommendation-1');
    expect(timeline.add({ type: 'rebalance-recommendation' }, T).id).toBe('rebalance-recommendation-2');
    expect(timeline.add({ type: 'hop-limit', id: 'containers' }, T).id).toBe('containers');
    expect(() => timeline.add({ type: 'hop-limit', id: 'containers' }, T)).toThrow(ScenarioError);
    expect(() => timeline.remove('nope')).toThrow(
      expect.objectContaining({ name: 'ScenarioError', code: 'unknown-id', id: 'nope' }),
    );
    timeline.remove('rebalance-recommendation-1');
    expect(timeline.list().map((scenario) => scenario.id)).toEqual([
      'rebalance-recommendation-2',
      'containers',
    ]);
  });

  it('a maintenance event keeps the same generated id when replaced, so it can be ended', () => {
    const timeline = new Timeline();
    const event = timeline.add(
      { type: 'maintenance-event', code: 'system-reboot', notBefore: { after: 0 }, notAfter: { after: 1 } },
      T,
    );
    const eventId = event.spec.type === 'maintenance-event' ? event.spec.eventId : undefined;
    expect(eventId).toMatch(/^instance-event-[0-9a-f]{17}$/);
    const replaced = timeline.replace(event.id, { ...event.spec, canceled: { at: T + 5 } } as never);
    expect(replaced.spec).toMatchObject({ eventId });
    expect(timeline.stateAt(base, T + 5).instance.maintenanceEvents[0]).toMatchObject({
      eventId,
      state: 'canceled',
    });
  });
});
