/**
 * Figure 10 (issue 16): what auditing costs. GET `meta-data/instance-id` with a token, a new
 * connection per request, 32 connections, against three servers in their own processes, in
 * interleaved rounds: the emulator (attribution off), the emulator with caller attribution on
 * (`before`, default budget), and `imds proxy` forwarding to the first emulator. Ratios are
 * medians of per-round ratios. The proxy's overhead per request is its p50 latency minus the
 * direct p50 in the same round; the attribution target is >= 0.9 of the throughput without it.
 */
import type { Figure, FigureRow } from '../support/figure.js';
import { ratioRow } from '../support/figure.js';
import { ms, perSecond } from '../support/format.js';
import { fetchToken } from '../support/http.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { median } from '../support/stats.js';

const CONNECTIONS = 32;
const TARGET_ATTRIBUTION = 0.9;

type Kind = 'emulator' | 'emulator-attributed' | 'proxy';
interface Sample {
  readonly round: number;
  readonly kind: Kind;
  readonly rate: number;
  readonly p50Ms: number;
  readonly errors: number;
}

export const auditCost: Figure = {
  id: '10',
  title: 'audit: caller attribution on vs off, proxy vs direct',
  async run(context) {
    const servers = new Map<Kind, ServerProcess>();
    try {
      const direct = await startServerProcess('emulator', { prefix: context.pinning.server });
      servers.set('emulator', direct);
      servers.set(
        'emulator-attributed',
        await startServerProcess('emulator-attributed', { prefix: context.pinning.server }),
      );
      servers.set(
        'proxy',
        await startServerProcess('proxy', {
          prefix: context.pinning.server,
          env: { IMDS_BENCH_UPSTREAM: direct.url },
        }),
      );
      const tokens = new Map<Kind, string>([
        ['emulator', await fetchToken(direct.url)],
        ['emulator-attributed', await fetchToken((servers.get('emulator-attributed') as ServerProcess).url)],
        ['proxy', await fetchToken((servers.get('proxy') as ServerProcess).url)],
      ]);
      const { rounds, seconds, warmupSeconds } = context.settings.throughput;
      const measure = async (kind: Kind, duration: number, round: number): Promise<Sample> => {
        const server = servers.get(kind) as ServerProcess;
        const result = await context.load.run({
          url: `${server.url}/latest/meta-data/instance-id`,
          connections: CONNECTIONS,
          durationSeconds: duration,
          scenario: { kind: 'get', token: tokens.get(kind) as string },
          prefix: context.pinning.load,
        });
        return {
          round,
          kind,
          rate: result.requests / result.seconds,
          p50Ms: result.latencyMs.p50,
          errors: result.errors.socket + result.errors.status,
        };
      };
      const kinds: Kind[] = ['emulator', 'emulator-attributed', 'proxy'];
      for (const kind of kinds) await measure(kind, warmupSeconds, -1);
      const samples: Sample[] = [];
      for (let round = 0; round < rounds; round++) {
        const order = [...kinds.slice(round % 3), ...kinds.slice(0, round % 3)];
        for (const kind of order) {
          const sample = await measure(kind, seconds, round);
          samples.push(sample);
          context.log(
            `  round ${round + 1}/${rounds}, ${kind}: ${perSecond(sample.rate)}, p50 ${ms(sample.p50Ms)}`,
          );
        }
      }
      const of = (kind: Kind) => samples.filter((sample) => sample.kind === kind);
      const inRound = (kind: Kind, round: number) =>
        of(kind).find((sample) => sample.round === round) as Sample;
      const ratio = (kind: Kind, pick: (sample: Sample) => number) =>
        median(of(kind).map((sample) => pick(sample) / pick(inRound('emulator', sample.round))));
      const overheadMs = median(
        of('proxy').map((sample) => sample.p50Ms - inRound('emulator', sample.round).p50Ms),
      );
      const errors = samples.reduce((sum, sample) => sum + sample.errors, 0);
      const rate = (sample: Sample) => sample.rate;
      const rows: FigureRow[] = [
        ratioRow({
          figure: '10',
          measure: `GET, ${CONNECTIONS} conn: throughput with caller attribution`,
          value: perSecond(median(of('emulator-attributed').map(rate))),
          baseline: `attribution off ${perSecond(median(of('emulator').map(rate)))}`,
          ratio: ratio('emulator-attributed', rate),
          target: { op: '>=', value: TARGET_ATTRIBUTION },
          note: `${errors} failed or non-2xx responses in all runs of this figure; under this load most requests are answered 'skipped': the lookup budget is 5% of the time, and one read of this host's socket table costs hundreds of ms`,
        }),
        ratioRow({
          figure: '10',
          measure: `GET, ${CONNECTIONS} conn: throughput through imds proxy`,
          value: perSecond(median(of('proxy').map(rate))),
          baseline: `direct ${perSecond(median(of('emulator').map(rate)))}`,
          ratio: ratio('proxy', rate),
        }),
        ratioRow({
          figure: '10',
          measure: `GET, ${CONNECTIONS} conn: p50 latency through imds proxy`,
          value: ms(median(of('proxy').map((sample) => sample.p50Ms))),
          baseline: `direct ${ms(median(of('emulator').map((sample) => sample.p50Ms)))}`,
          ratio: ratio('proxy', (sample) => sample.p50Ms),
          note: `proxy overhead per request (p50, proxied - direct, same round): ${ms(overheadMs)}`,
        }),
      ];
      return { rows, details: { samples, proxyOverheadP50Ms: overheadMs } };
    } finally {
      await Promise.all([...servers.values()].map((server) => server.stop()));
    }
  },
};
