/**
 * Figure 1: GET `meta-data/instance-id` with a valid token, each request on a new connection, at 1
 * and 32 concurrent connections; the emulator against a raw `node:net` server that writes one
 * fixed response per connection and closes it. Two raw baselines: write then close at once (the
 * most one Node process can do; the emulator's front closes the same way) and `socket.end()`.
 * Also measured, to tell the front's cost from the handler's: a bare `node:http` server, the
 * emulator's front serving a constant response, and the emulator served through `node:http`
 * (the alternative ADR 0001 weighs).
 *
 * The servers run in their own processes, pinned to one core, and the load generator on the
 * other. Runs are interleaved (each round runs every server once per concurrency, in a rotating
 * order) and each ratio is the median of the per-round ratios, so a noisy neighbour slows the
 * emulator and its baseline alike. After every run the server's accepted-connection count is
 * compared with the requests the generator completed: one connection per request.
 */
import type { Figure, FigureContext, FigureOutcome, FigureRow } from '../support/figure.js';
import { ratioRow } from '../support/figure.js';
import { ms, perSecond, ratio as formatRatio, us } from '../support/format.js';
import { fetchToken } from '../support/http.js';
import type { LoadResult } from '../support/load.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { median } from '../support/stats.js';
import { SERVER_KINDS, type ServerKind } from '../servers/kinds.js';

const KINDS: readonly ServerKind[] = [
  'raw-net',
  'node-http',
  'emulator',
  'emulator-node-http',
  'raw-net-end',
  'front-only',
];
const CONCURRENCIES = [1, 32] as const;
const COUNTS_CONNECTIONS: ReadonlySet<ServerKind> = new Set(['raw-net', 'raw-net-end', 'node-http']);
const TARGET_THROUGHPUT = 0.9;
const TARGET_P99 = 2;
/** What the emulator's handler may add to the front's own CPU time per request (issue 18). */
const TARGET_HANDLER_COST = 1.3;

/** One wrk run against one server. */
interface Sample {
  readonly round: number;
  readonly kind: ServerKind;
  readonly connections: number;
  readonly rate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly socketErrors: number;
  readonly statusErrors: number;
  /** Connections the server accepted (emulator, front: requests it answered) per request wrk completed; 1 = a new connection each time. */
  readonly connectionsPerRequest: number;
  /** The server process's CPU time (all threads, user + system) per request: steadier than rates on a busy machine. */
  readonly cpuMicrosPerRequest: number;
}

export const getThroughput: Figure = {
  id: '1',
  title: 'GET throughput and latency',
  async run(context) {
    const servers = new Map<ServerKind, ServerProcess>();
    try {
      for (const kind of KINDS) {
        const flags = kind === 'emulator' || kind === 'emulator-node-http' ? context.emulatorFlags : [];
        servers.set(
          kind,
          await startServerProcess(kind, { prefix: context.pinning.server, nodeFlags: flags }),
        );
      }
      const emulator = servers.get('emulator') as ServerProcess;
      // Every server gets the same request bytes, token included; only the emulators check it (the
      // one behind node:http is another emulator, with its own token secret).
      const token = await fetchToken(emulator.url);
      const viaNodeHttp = servers.get('emulator-node-http') as ServerProcess;
      const tokens = new Map<ServerKind, string>([['emulator-node-http', await fetchToken(viaNodeHttp.url)]]);
      const tokenFor = (kind: ServerKind) => tokens.get(kind) ?? token;
      const { rounds, seconds, warmupSeconds } = context.settings.throughput;
      for (const server of servers.values())
        await measure(context, server, 32, warmupSeconds, tokenFor(server.kind), -1);
      const samples: Sample[] = [];
      for (let round = 0; round < rounds; round++) {
        for (const connections of CONCURRENCIES) {
          for (const kind of rotate(KINDS, round)) {
            const sample = await measure(
              context,
              servers.get(kind) as ServerProcess,
              connections,
              seconds,
              tokenFor(kind),
              round,
            );
            samples.push(sample);
            context.log(
              `  round ${round + 1}/${rounds}, ${connections} conn, ${kind}: ${perSecond(sample.rate)}, p99 ${ms(sample.p99Ms)}`,
            );
          }
        }
      }
      return report(samples);
    } finally {
      await Promise.all([...servers.values()].map((server) => server.stop()));
    }
  },
};

async function measure(
  context: FigureContext,
  server: ServerProcess,
  connections: number,
  seconds: number,
  token: string,
  round: number,
): Promise<Sample> {
  const before = await server.stats();
  const result: LoadResult = await context.load.run({
    url: `${server.url}/latest/meta-data/instance-id`,
    connections,
    durationSeconds: seconds,
    scenario: { kind: 'get', token },
    prefix: context.pinning.load,
  });
  const after = await server.stats();
  return {
    round,
    kind: server.kind,
    connections,
    rate: result.requests / result.seconds,
    p50Ms: result.latencyMs.p50,
    p99Ms: result.latencyMs.p99,
    socketErrors: result.errors.socket,
    statusErrors: result.errors.status,
    connectionsPerRequest: (after.connections - before.connections) / Math.max(1, result.requests),
    cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / Math.max(1, result.requests),
  };
}

/** The kinds in a different order each round, so none always runs first after a pause. */
function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function report(samples: readonly Sample[]): FigureOutcome {
  const rows: FigureRow[] = [];
  const summary: Record<string, unknown> = {};
  for (const connections of CONCURRENCIES) {
    const at = samples.filter((sample) => sample.connections === connections);
    const of = (kind: ServerKind) => at.filter((sample) => sample.kind === kind);
    const medianOf = (kind: ServerKind, pick: (sample: Sample) => number) => median(of(kind).map(pick));
    /** Median over rounds of (kind's value ÷ baseline's value in the same round). */
    const roundRatio = (kind: ServerKind, baseline: ServerKind, pick: (sample: Sample) => number) =>
      median(
        of(kind).map(
          (sample) =>
            pick(sample) / pick(of(baseline).find((other) => other.round === sample.round) as Sample),
        ),
      );
    const rate = (sample: Sample) => sample.rate;
    const p99 = (sample: Sample) => sample.p99Ms;
    const p50 = (sample: Sample) => sample.p50Ms;
    const cpu = (sample: Sample) => sample.cpuMicrosPerRequest;
    const label = `${connections} conn`;
    const rawRate = medianOf('raw-net', rate);
    const errors = at.reduce((sum, sample) => sum + sample.socketErrors + sample.statusErrors, 0);
    // The baselines count accepted connections (the emulator and the front count answered requests).
    const oneConnectionEach = Math.min(
      ...at
        .filter((sample) => COUNTS_CONNECTIONS.has(sample.kind))
        .map((sample) => sample.connectionsPerRequest),
    );
    rows.push(
      ratioRow({
        figure: '1',
        measure: `GET, ${label}: throughput`,
        value: perSecond(medianOf('emulator', rate)),
        baseline: `raw net ${perSecond(rawRate)}`,
        ratio: roundRatio('emulator', 'raw-net', rate),
        target: { op: '>=', value: TARGET_THROUGHPUT },
        note: `${errors} failed or non-2xx responses in all runs at ${label}; the baselines accepted ≥${oneConnectionEach.toFixed(3)} connections per request wrk completed`,
      }),
      ratioRow({
        figure: '1',
        measure: `GET, ${label}: throughput vs raw end()`,
        value: perSecond(medianOf('emulator', rate)),
        baseline: `raw end() ${perSecond(medianOf('raw-net-end', rate))}`,
        ratio: roundRatio('emulator', 'raw-net-end', rate),
        target: { op: '>=', value: TARGET_THROUGHPUT },
        note: 'the same target against the textbook raw server (socket.end(response)), the slower of the two raw baselines',
      }),
      ratioRow({
        figure: '1',
        measure: `GET, ${label}: p99 latency`,
        value: ms(medianOf('emulator', p99)),
        baseline: `raw net ${ms(medianOf('raw-net', p99))}`,
        ratio: roundRatio('emulator', 'raw-net', p99),
        target: { op: '<=', value: TARGET_P99 },
      }),
      ratioRow({
        figure: '1',
        measure: `GET, ${label}: p50 latency`,
        value: ms(medianOf('emulator', p50)),
        baseline: `raw net ${ms(medianOf('raw-net', p50))}`,
        ratio: roundRatio('emulator', 'raw-net', p50),
      }),
      ratioRow({
        figure: '1',
        measure: `GET, ${label}: server CPU per request`,
        value: us(medianOf('emulator', cpu)),
        baseline: `raw net ${us(medianOf('raw-net', cpu))}`,
        ratio: roundRatio('emulator', 'raw-net', cpu),
        note: `front alone ${us(medianOf('front-only', cpu))}, node:http ${us(medianOf('node-http', cpu))}, raw end() ${us(medianOf('raw-net-end', cpu))}`,
      }),
      ratioRow({
        figure: '1',
        measure: `GET, ${label}: handler cost (server CPU per request vs the front alone)`,
        value: us(medianOf('emulator', cpu)),
        baseline: `front, constant handler ${us(medianOf('front-only', cpu))}`,
        ratio: roundRatio('emulator', 'front-only', cpu),
        target: { op: '<=', value: TARGET_HANDLER_COST },
      }),
      ratioRow({
        figure: '1',
        measure: `front alone (constant handler), ${label}: throughput`,
        value: perSecond(medianOf('front-only', rate)),
        baseline: `raw net ${perSecond(rawRate)}`,
        ratio: roundRatio('front-only', 'raw-net', rate),
        note: `vs raw end(): ${formatRatio(roundRatio('front-only', 'raw-net-end', rate))}`,
      }),
      ratioRow({
        figure: '1',
        measure: `emulator through node:http, ${label}: throughput`,
        value: perSecond(medianOf('emulator-node-http', rate)),
        baseline: `raw net ${perSecond(rawRate)}`,
        ratio: roundRatio('emulator-node-http', 'raw-net', rate),
        note: `the socket front vs node:http, same emulator: ${formatRatio(roundRatio('emulator', 'emulator-node-http', rate))}; CPU per request ${us(medianOf('emulator-node-http', cpu))} vs ${us(medianOf('emulator', cpu))}`,
      }),
      ratioRow({
        figure: '1',
        measure: `bare node:http, ${label}: throughput`,
        value: perSecond(medianOf('node-http', rate)),
        baseline: `raw net ${perSecond(rawRate)}`,
        ratio: roundRatio('node-http', 'raw-net', rate),
        note: `vs raw end(): ${formatRatio(roundRatio('node-http', 'raw-net-end', rate))}; emulator vs node:http: ${formatRatio(roundRatio('emulator', 'node-http', rate))}`,
      }),
    );
    summary[label] = Object.fromEntries(
      KINDS.map((kind) => [
        SERVER_KINDS[kind],
        {
          rate: medianOf(kind, rate),
          p50Ms: medianOf(kind, p50),
          p99Ms: medianOf(kind, p99),
          cpuMicrosPerRequest: medianOf(kind, cpu),
        },
      ]),
    );
  }
  return { rows, details: { summary, samples } };
}
