/**
 * Property-based tests over generated *states*, not only requests: configuration files, scenarios
 * and clock moves with extreme durations and instants (`1e300`, year 10889 and later, before
 * 1970, 100 years and a bit more) are either refused by validation with a clear error, or admitted;
 * and every state validation admits is served without a throw and without a 5xx, token PUTs
 * included (the issue-10 bugs: `notice: 1e300`, `clock advance 1e300`, `rotateEvery: 1e300`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { ConfigError } from '../../src/config/config-error.js';
import { emulatorOptionsOf } from '../../src/config/emulator-options.js';
import { resolveConfig } from '../../src/config/resolve.js';
import { ClockError, Controller } from '../../src/control/controller.js';
import { ScenarioError } from '../../src/scenarios/scenario-error.js';
import { Emulator } from '../../src/server/emulator.js';
import type { ImdsRequest } from '../../src/server/exchange.js';
import { TOKEN_HEADER, TOKEN_TTL_HEADER } from '../../src/wire.js';

const RUNS = 300;
const T0 = Date.UTC(2024, 2, 1, 9);
const YEAR_S = 365.25 * 86_400;

/** Numbers around every edge: tiny, huge, the 100-year bound, 2^48 ms, non-finite-ish. */
const extremeNumber = fc.oneof(
  fc.constantFrom(
    0,
    1,
    60,
    1e3,
    1e9,
    1e12,
    1e15,
    1e300,
    2 ** 48,
    2 ** 53,
    Number.MAX_VALUE,
    100 * YEAR_S,
    100 * YEAR_S + 1,
  ),
  fc.double({ min: 0, max: 1e20, noNaN: true, noDefaultInfinity: true }),
);
const duration = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 10 * 365 * 86_400 }), weight: 6 },
  extremeNumber,
  extremeNumber.map((n) => `${n}s`),
  fc.constantFrom('2m', '36525d', '36526d', '99999999d', '1e300s', '10000000000000h'),
);
const instant = fc.constantFrom(
  '1969-12-31T23:59:59Z',
  '1970-01-01T00:00:00Z',
  '2024-03-01T09:00:00Z',
  '9999-12-31T23:59:59Z',
  '9999-12-31T23:59:59.999Z',
);
const moment = fc.oneof(duration, instant);
const when = fc.oneof(
  fc.constant({}),
  duration.map((after) => ({ after })),
  instant.map((at) => ({ at })),
);

const scenarioEntry = fc.oneof(
  fc
    .record({ type: fc.constant('spot-interruption'), notice: duration })
    .chain((entry) => when.map((timing) => ({ ...entry, ...timing }))),
  when.map((timing) => ({ type: 'rebalance-recommendation', ...timing })),
  fc.record({
    type: fc.constant('maintenance-event'),
    code: fc.constant('system-reboot'),
    notBefore: moment,
    notAfter: moment,
  }),
  when.map((timing) => ({ type: 'credential-rotation', ...timing })),
  fc
    .record({ type: fc.constant('http-tokens'), mode: fc.constantFrom('required', 'optional') })
    .chain((entry) => when.map((timing) => ({ ...entry, ...timing }))),
  fc.record({
    type: fc.constant('autoscaling-lifecycle'),
    steps: fc.array(fc.record({ state: fc.constant('Terminated'), after: duration }), {
      minLength: 1,
      maxLength: 3,
    }),
  }),
);

const configFile = fc.record(
  {
    clock: fc.record({ start: instant, manual: fc.constant(true) }),
    credentials: fc.record({ rotateEvery: duration, lifetime: duration }, { requiredKeys: [] }),
    scenarios: fc.array(scenarioEntry, { maxLength: 4 }),
  },
  { requiredKeys: ['clock'] },
);

const clockMove = fc.oneof(
  duration.map((advance) => ({ advance })),
  instant.map((set) => ({ set })),
);

const PATHS = [
  '/latest/meta-data/',
  '/latest/meta-data/spot/instance-action',
  '/latest/meta-data/events/recommendations/rebalance',
  '/latest/meta-data/events/maintenance/scheduled',
  '/latest/meta-data/autoscaling/target-lifecycle-state',
  '/latest/meta-data/iam/security-credentials/ec2-imds-demo-role',
  '/latest/dynamic/instance-identity/document',
];

function request(method: string, target: string, headers: Record<string, string>): ImdsRequest {
  return {
    method,
    target,
    headers: new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), [value]])),
    remoteAddress: '127.0.0.1',
  };
}

/** Serves a token PUT and every path with that token; returns what went wrong, if anything. */
function serveAll(emulator: Emulator): string[] {
  const problems: string[] = [];
  const put = emulator.handle(request('PUT', '/latest/api/token', { [TOKEN_TTL_HEADER]: '21600' }));
  if (!('status' in put) || put.status !== 200) {
    problems.push(`token PUT: ${'status' in put ? put.status : put.noResponse}`);
    return problems;
  }
  const token = Buffer.from(put.body ?? []).toString('latin1');
  for (const path of PATHS) {
    const answer = emulator.handle(request('GET', path, { [TOKEN_HEADER]: token }));
    if (!('status' in answer) || (answer.status !== 200 && answer.status !== 404))
      problems.push(`${path}: ${'status' in answer ? answer.status : answer.noResponse}`);
  }
  return problems;
}

/** Errors that mean "refused with a clear message", which is what validation must do. */
function isRefusal(error: unknown): boolean {
  return error instanceof ConfigError || error instanceof ScenarioError || error instanceof ClockError;
}

describe('every state that validation admits is served', () => {
  it('configuration files, scenarios and clock moves with extreme values: refused clearly, or served without a 5xx', () => {
    let admittedConfigs = 0;
    let refusedMoves = 0;
    fc.assert(
      fc.property(
        configFile,
        fc.array(scenarioEntry, { maxLength: 4 }),
        fc.array(clockMove, { maxLength: 4 }),
        (file, entries, moves) => {
          let config: ReturnType<typeof resolveConfig>;
          try {
            config = resolveConfig({
              flags: { config: 'state.json' },
              env: {},
              files: { readFile: () => Buffer.from(JSON.stringify(file)) },
            });
          } catch (error) {
            expect(isRefusal(error), String(error)).toBe(true);
            return;
          }
          admittedConfigs++;
          const clock = new ManualClock(config.clock.start ?? T0);
          const emulator = new Emulator({
            ...emulatorOptionsOf(
              { ...config.settings, instance: config.instance, scenarios: config.scenarios },
              clock,
            ),
          });
          const controller = new Controller(emulator);
          expect(serveAll(emulator)).toEqual([]);
          for (const entry of entries) {
            try {
              controller.trigger(entry);
            } catch (error) {
              expect(isRefusal(error), String(error)).toBe(true);
            }
          }
          expect(serveAll(emulator)).toEqual([]);
          for (const move of moves) {
            try {
              controller.moveClock(move);
            } catch (error) {
              refusedMoves++;
              expect(isRefusal(error), String(error)).toBe(true);
            }
            expect(serveAll(emulator)).toEqual([]);
          }
        },
      ),
      { numRuns: RUNS, seed: 0x1_0010 },
    );
    // The generators reach both sides of every bound.
    expect(admittedConfigs).toBeGreaterThan(RUNS / 10);
    expect(refusedMoves).toBeGreaterThan(0);
  });

  it('refuses the reported values with messages naming the range', () => {
    const controller = new Controller(new Emulator({ clock: new ManualClock(T0) }));
    expect(() => controller.trigger({ type: 'spot-interruption', notice: 1e300 })).toThrow(
      /notice: expected a duration of at most 100 years/,
    );
    expect(() => controller.moveClock({ advance: 1e300 })).toThrow(/at most 100 years/);
    expect(() => controller.moveClock({ set: '1969-12-31T23:59:59Z' })).toThrow(/from 1970-01-01T00:00:00Z/);
    controller.moveClock({ set: '9999-12-31T23:59:59Z' });
    expect(() => controller.moveClock({ advance: '1s' })).toThrow(/the clock must stay at a time from/);
    expect(() =>
      resolveConfig({
        flags: { config: 'c.json' },
        env: {},
        files: { readFile: () => Buffer.from('{"credentials": {"rotateEvery": 1e300}}') },
      }),
    ).toThrow(/rotateEvery: expected a duration of at most 100 years/);
  });
});
