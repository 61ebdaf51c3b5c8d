/**
 * Figure 2: token PUT + GET pairs at 32 concurrent connections, against GET-only traffic at the
 * same concurrency, on the same emulator, through the same wrk script (so both pay the same Lua
 * callbacks), in interleaved rounds.
 *
 * Every request is on its own connection, so a pair is two connections: pairs per second can be
 * at most about half the GET-only request rate even if a PUT cost nothing more than a GET. The
 * table shows that literal ratio (pairs/s ÷ GET req/s) and the per-request one (requests/s inside
 * pairs ÷ GET req/s), which is what says whether minting a token costs more than reading a value.
 */
import type { Figure, FigureContext, FigureOutcome } from '../support/figure.js';
import { ratioRow } from '../support/figure.js';
import { perSecond } from '../support/format.js';
import { fetchToken } from '../support/http.js';
import type { LoadScenario } from '../support/load.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { median } from '../support/stats.js';

const CONNECTIONS = 32;
const TARGET = 0.8;

interface Sample {
  readonly round: number;
  readonly mode: 'get' | 'pairs';
  /** Completed pairs per second (mode pairs) or GETs per second (mode get), 200s only. */
  readonly rate: number;
  /** Requests per second, PUTs and GETs, 200s only. */
  readonly requestRate: number;
  readonly failures: number;
  readonly cpuMicrosPerRequest: number;
}

export const tokenPairs: Figure = {
  id: '2',
  title: 'token PUT + GET pairs',
  async run(context) {
    const server = await startServerProcess('emulator', {
      prefix: context.pinning.server,
      nodeFlags: context.emulatorFlags,
    });
    try {
      const token = await fetchToken(server.url);
      const get: LoadScenario = { kind: 'get', token, counted: true };
      const pairs: LoadScenario = { kind: 'pairs' };
      const { rounds, seconds } = context.settings.tokenPairs;
      await measure(context, server, pairs, 1, -1);
      const samples: Sample[] = [];
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? [get, pairs] : [pairs, get];
        for (const scenario of order) {
          const sample = await measure(context, server, scenario, seconds, round);
          samples.push(sample);
          context.log(
            `  round ${round + 1}/${rounds}, ${sample.mode}: ${perSecond(sample.rate, sample.mode === 'get' ? 'GET/s' : 'pairs/s')}`,
          );
        }
      }
      return report(samples);
    } finally {
      await server.stop();
    }
  },
};

async function measure(
  context: FigureContext,
  server: ServerProcess,
  scenario: LoadScenario,
  seconds: number,
  round: number,
): Promise<Sample> {
  const before = await server.stats();
  const result = await context.load.run({
    url: `${server.url}/latest/meta-data/instance-id`,
    connections: CONNECTIONS,
    durationSeconds: seconds,
    scenario,
    prefix: context.pinning.load,
  });
  const after = await server.stats();
  const okPuts = result.counters.ok_puts ?? 0;
  const okGets = result.counters.ok_gets ?? 0;
  return {
    round,
    mode: scenario.kind === 'pairs' ? 'pairs' : 'get',
    rate: okGets / result.seconds,
    requestRate: (okPuts + okGets) / result.seconds,
    failures: (result.counters.bad ?? 0) + result.errors.socket,
    cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / Math.max(1, result.requests),
  };
}

function report(samples: readonly Sample[]): FigureOutcome {
  const of = (mode: Sample['mode']) => samples.filter((sample) => sample.mode === mode);
  const getRateIn = (round: number) => (of('get').find((sample) => sample.round === round) as Sample).rate;
  const pairRatio = median(of('pairs').map((sample) => sample.rate / getRateIn(sample.round)));
  const requestRatio = median(of('pairs').map((sample) => sample.requestRate / getRateIn(sample.round)));
  const getRate = median(of('get').map((sample) => sample.rate));
  const failures = samples.reduce((sum, sample) => sum + sample.failures, 0);
  const cpu = (mode: Sample['mode']) => median(of(mode).map((sample) => sample.cpuMicrosPerRequest));
  return {
    rows: [
      ratioRow({
        figure: '2',
        measure: `PUT+GET pairs, ${CONNECTIONS} conn (literal)`,
        value: perSecond(median(of('pairs').map((sample) => sample.rate)), 'pairs/s'),
        baseline: `GET-only ${perSecond(getRate)}`,
        ratio: pairRatio,
        target: { op: '>=', value: TARGET },
        note: `a pair is two connections, so this ratio is at most ~0.5 even when a PUT costs no more than a GET; ${failures} failed or non-200 responses`,
      }),
      ratioRow({
        figure: '2',
        measure: `requests in pairs, ${CONNECTIONS} conn (per request)`,
        value: perSecond(median(of('pairs').map((sample) => sample.requestRate))),
        baseline: `GET-only ${perSecond(getRate)}`,
        ratio: requestRatio,
        target: { op: '>=', value: TARGET },
        note: `server CPU per request: ${cpu('pairs').toFixed(1)} µs in pairs, ${cpu('get').toFixed(1)} µs GET-only`,
      }),
    ],
    details: { samples },
  };
}
