/**
 * Figure `values`: the cost of many run-time values and value scenarios (issue 10). In-process, on a
 * manual clock: 10,000 `PUT /values`-style edits (`Controller.set`), then the first request, which
 * folds them into the base state and builds the tree once; and the same with 10,000 `set-value`
 * scenarios. Baseline: the same with a tenth of the count (1,000): linear work gives a ratio near
 * 10, quadratic near 100. Before the fix both grew with the square of the count (2,500 scenarios:
 * 2.6 s with the event loop blocked; 4,000 values: 0.7 s). Median of five fresh emulators each.
 */
import { ManualClock } from '../../src/clock.js';
import { Controller } from '../../src/control/controller.js';
import { MAX_VALUES } from '../../src/scenarios/scenario-error.js';
import { Emulator } from '../../src/server/emulator.js';
import type { ImdsRequest } from '../../src/server/exchange.js';
import type { Figure, FigureRow } from '../support/figure.js';
import { ms } from '../support/format.js';
import { median } from '../support/stats.js';

const COUNT = MAX_VALUES;
const RUNS = 5;
const BASELINE_COUNT = COUNT / 10;
/** Linear: about 10x for ten times the edits; 20 leaves room for noise, far below quadratic's 100. */
const TARGET_RATIO = 20;

const GET: ImdsRequest = {
  method: 'GET',
  target: '/latest/meta-data/tags/instance/k1',
  headers: new Map(),
  remoteAddress: '127.0.0.1',
};

interface Timing {
  /** Adding the edits. */
  readonly addMs: number;
  /** The first request after them. */
  readonly serveMs: number;
}

function measure(count: number, how: 'values' | 'scenarios'): Timing {
  const clock = new ManualClock(Date.parse('2024-03-01T09:00:00Z'));
  const emulator = new Emulator({ clock, httpTokens: 'optional' });
  const controller = new Controller(emulator);
  emulator.handle(GET);
  const started = performance.now();
  for (let index = 0; index < count; index++) {
    if (how === 'values') controller.set(`meta-data/tags/instance/k${index}`, `v${index}`);
    else
      controller.trigger({
        type: 'set-value',
        path: `meta-data/tags/instance/k${index}`,
        value: `v${index}`,
      });
  }
  const added = performance.now();
  const outcome = emulator.handle(GET);
  const served = performance.now();
  if (!('status' in outcome) || outcome.status !== 200)
    throw new Error(`values figure: unexpected answer ${JSON.stringify(outcome)}`);
  return { addMs: added - started, serveMs: served - added };
}

function medianOf(count: number, how: 'values' | 'scenarios'): Timing {
  const runs = Array.from({ length: RUNS }, () => measure(count, how));
  return { addMs: median(runs.map((run) => run.addMs)), serveMs: median(runs.map((run) => run.serveMs)) };
}

export const valuesPileup: Figure = {
  id: 'values',
  title: 'time to serve after adding 10k values',
  async run(context) {
    const rows: FigureRow[] = [];
    const details: Record<string, { base: Timing; many: Timing }> = {};
    for (const how of ['values', 'scenarios'] as const) {
      const base = medianOf(BASELINE_COUNT, how);
      const many = medianOf(COUNT, how);
      details[how] = { base, many };
      const total = many.addMs + many.serveMs;
      const ratio = total / (base.addMs + base.serveMs);
      context.log(`  ${how}: add ${ms(many.addMs)}, first request ${ms(many.serveMs)}`);
      rows.push({
        figure: 'values',
        measure: `add ${COUNT.toLocaleString('en-US')} ${how === 'values' ? 'values (PUT /values)' : 'set-value scenarios'}, then serve`,
        value: ms(total),
        baseline: `${BASELINE_COUNT.toLocaleString('en-US')} of them ${ms(base.addMs + base.serveMs)}`,
        ratio,
        target: { op: '<=', value: TARGET_RATIO },
        checked: ratio,
        note: `add ${ms(many.addMs)}, first request ${ms(many.serveMs)}; median of ${RUNS}`,
      });
    }
    return { rows, details };
  },
};
