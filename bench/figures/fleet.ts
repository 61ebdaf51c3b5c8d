/**
 * Figure `fleet` (issue 17): a fleet of 10,000 instances in one process against a fleet of 1.
 *
 * - Memory: RSS of each server process after two full collections, every instance built (it has
 *   answered a token PUT and three GETs). RSS per 1,000 instances is (RSS of 10,000 − RSS of 1)
 *   ÷ 9.999; the whole 10,000-instance process must stay under 1 GiB.
 * - GET throughput: `meta-data/instance-id` with a valid token, a new connection per request,
 *   32 connections, from 127.0.0.1 (routed by source address to instance 0 in both fleets, the
 *   same lookup every instance goes through), interleaved rounds; the ratio is the median of the
 *   per-round ratios 10,000 ÷ 1, so a noisy neighbour slows both alike. The server's CPU time per
 *   request is reported beside it: on a shared machine it is the steadier of the two.
 */
import type { Figure, FigureContext, FigureRow } from '../support/figure.js';
import { ratioRow } from '../support/figure.js';
import { mib, ms, perSecond, ratio as formatRatio, us } from '../support/format.js';
import { fetchToken } from '../support/http.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { median } from '../support/stats.js';
import type { ServerKind } from '../servers/kinds.js';

const CONNECTIONS = 32;
const LARGE = 10_000;
const MAX_RSS_MIB = 1024;
const TARGET_THROUGHPUT = 0.9;

interface Sample {
  readonly round: number;
  readonly kind: ServerKind;
  readonly rate: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** The server's CPU time (user + system) per request: steadier than rates on a busy machine. */
  readonly cpuMicrosPerRequest: number;
}

export const fleet: Figure = {
  id: 'fleet',
  title: 'fleet of 10,000 instances: RSS and GET throughput',
  async run(context) {
    const small = await startServerProcess('fleet-1', { prefix: context.pinning.server });
    let large: ServerProcess | undefined;
    try {
      const started = performance.now();
      large = await startServerProcess('fleet-10k', {
        prefix: context.pinning.server,
        readyTimeoutMs: 300_000,
      });
      const buildSeconds = (performance.now() - started) / 1000;
      context.log(`  10,000 instances built and listening in ${buildSeconds.toFixed(1)} s`);
      const [smallStats, largeStats] = [await small.stats(true), await large.stats(true)];
      const perThousand = ((largeStats.rssBytes - smallStats.rssBytes) / (LARGE - 1)) * 1000;
      const servers = { 'fleet-1': small, 'fleet-10k': large } as const;
      const tokens = { 'fleet-1': await fetchToken(small.url), 'fleet-10k': await fetchToken(large.url) };
      const { rounds, seconds, warmupSeconds } = context.settings.throughput;
      for (const kind of ['fleet-1', 'fleet-10k'] as const)
        await measure(context, servers[kind], tokens[kind], warmupSeconds, -1);
      const samples: Sample[] = [];
      for (let round = 0; round < rounds; round++) {
        const order =
          round % 2 === 0 ? (['fleet-1', 'fleet-10k'] as const) : (['fleet-10k', 'fleet-1'] as const);
        for (const kind of order) {
          const sample = await measure(context, servers[kind], tokens[kind], seconds, round);
          samples.push(sample);
          context.log(
            `  round ${round + 1}/${rounds}, ${kind}: ${perSecond(sample.rate)}, p99 ${ms(sample.p99Ms)}`,
          );
        }
      }
      const of = (kind: ServerKind) => samples.filter((sample) => sample.kind === kind);
      const ratio = median(
        of('fleet-10k').map(
          (sample) =>
            sample.rate / (of('fleet-1').find((other) => other.round === sample.round) as Sample).rate,
        ),
      );
      const cpuRatio = median(
        of('fleet-10k').map(
          (sample) =>
            sample.cpuMicrosPerRequest /
            (of('fleet-1').find((other) => other.round === sample.round) as Sample).cpuMicrosPerRequest,
        ),
      );
      const cpu = (kind: ServerKind) => median(of(kind).map((sample) => sample.cpuMicrosPerRequest));
      const errors = samples.reduce((sum, sample) => sum + sample.errors, 0);
      const rows: FigureRow[] = [
        {
          figure: 'fleet',
          measure: 'RSS per 1,000 built instances',
          value: mib(perThousand),
          baseline: `fleet of 1: ${mib(smallStats.rssBytes)}`,
          ratio: null,
          note: `RSS with 10,000 instances ${mib(largeStats.rssBytes)} (heap ${mib(largeStats.heapUsedBytes)}); built in ${buildSeconds.toFixed(1)} s`,
        },
        {
          figure: 'fleet',
          measure: 'RSS of a 10,000-instance fleet',
          value: mib(largeStats.rssBytes),
          baseline: `fleet of 1: ${mib(smallStats.rssBytes)}`,
          ratio: null,
          target: { op: '<=', value: MAX_RSS_MIB, unit: 'MiB' },
          checked: largeStats.rssBytes / 2 ** 20,
        },
        ratioRow({
          figure: 'fleet',
          measure: `GET, ${CONNECTIONS} conn: throughput with 10,000 instances`,
          value: perSecond(median(of('fleet-10k').map((sample) => sample.rate))),
          baseline: `1 instance ${perSecond(median(of('fleet-1').map((sample) => sample.rate)))}`,
          ratio,
          target: { op: '>=', value: TARGET_THROUGHPUT },
          note: `server CPU per request ${us(cpu('fleet-10k'))} vs ${us(cpu('fleet-1'))} (${formatRatio(cpuRatio)}); p99 ${ms(median(of('fleet-10k').map((sample) => sample.p99Ms)))} vs ${ms(median(of('fleet-1').map((sample) => sample.p99Ms)))}; ${errors} failed or non-2xx responses`,
        }),
      ];
      return { rows, details: { smallStats, largeStats, buildSeconds, samples } };
    } finally {
      await Promise.all([small.stop(), large?.stop()]);
    }
  },
};

async function measure(
  context: FigureContext,
  server: ServerProcess,
  token: string,
  seconds: number,
  round: number,
): Promise<Sample> {
  const before = await server.stats();
  const result = await context.load.run({
    url: `${server.url}/latest/meta-data/instance-id`,
    connections: CONNECTIONS,
    durationSeconds: seconds,
    scenario: { kind: 'get', token },
    prefix: context.pinning.load,
  });
  return {
    round,
    kind: server.kind,
    rate: result.requests / result.seconds,
    p99Ms: result.latencyMs.p99,
    errors: result.errors.socket + result.errors.status,
    cpuMicrosPerRequest: ((await server.stats()).cpuMicros - before.cpuMicros) / Math.max(1, result.requests),
  };
}
