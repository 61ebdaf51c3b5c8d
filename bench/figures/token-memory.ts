/**
 * Figure 3: the emulator's resident memory after 1,000,000 token PUTs (200,000 with `--quick`)
 * minus before, in a fresh emulator process, against the same count of connections to the raw
 * `node:net` baseline (what Node's own connection handling leaves behind).
 *
 * Every reading follows two full garbage collections. RSS still swings by several MiB from one
 * reading to the next under this load (the allocator keeps and returns pages as it likes) with no
 * trend over millions of PUTs, so "before" is the median of three readings, each after a one-second
 * warm-up burst (which also grows V8's young generation to its working size, as any sustained load
 * does), and "after" the median of the reading at the count and two more after one-second bursts.
 * Readings after every burst in between give the trend: MiB per million PUTs, by least squares.
 * The PUTs go in bursts of a few seconds until the server's own count is reached (wrk cannot stop
 * at a count without waiting out its duration), bounded in total time.
 */
import type { Figure, FigureContext, FigureRow } from '../support/figure.js';
import { mib, perSecond } from '../support/format.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { median } from '../support/stats.js';
import type { ServerKind, ServerStats } from '../servers/kinds.js';

const CONNECTIONS = 32;
const TARGET_MIB = 10;
const MAX_BURST_SECONDS = 5;
/** Readings around each end: three, so one outlier does not decide. */
const READINGS = 3;

interface Reading {
  /** PUTs answered since the start of the counted run (negative during the warm-up). */
  readonly puts: number;
  readonly stats: ServerStats;
}

interface Growth {
  readonly kind: ServerKind;
  readonly requests: number;
  readonly seconds: number;
  readonly failures: number;
  readonly fresh: ServerStats;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  /** Least-squares slope of RSS over the counted run, bytes per PUT; NaN with too few readings. */
  readonly rssBytesPerPut: number;
  readonly readings: readonly Reading[];
}

export const tokenMemory: Figure = {
  id: '3',
  title: 'memory after token PUTs',
  async run(context) {
    const emulator = await growth(context, 'emulator', context.emulatorFlags);
    const raw = await growth(context, 'raw-net', []);
    const grown = emulator.rssAfterBytes - emulator.rssBeforeBytes;
    const wanted = context.settings.memory.puts;
    const complete = emulator.requests >= wanted;
    const last = emulator.readings[emulator.readings.length - 1]?.stats ?? emulator.fresh;
    const space = (stats: ServerStats, name: string) => stats.heapSpaces[name] ?? 0;
    const perMillion = (bytesPerPut: number) =>
      Number.isNaN(bytesPerPut) ? 'n/a (under 3 readings)' : `${mib(bytesPerPut * 1e6)} per million PUTs`;
    const rssValues = emulator.readings
      .filter((reading) => reading.puts >= 0)
      .map((reading) => reading.stats.rssBytes);
    const row: FigureRow = {
      figure: '3',
      measure: `RSS growth over ${emulator.requests.toLocaleString('en-US')} token PUTs`,
      value: mib(grown),
      baseline: `raw net ${mib(raw.rssAfterBytes - raw.rssBeforeBytes)} (same count)`,
      // Either difference can be about zero or negative: no ratio.
      ratio: null,
      target: { op: '<=', value: TARGET_MIB, unit: 'MiB' },
      // An incomplete run proves nothing about the full count: it counts as a miss.
      checked: complete ? grown / 2 ** 20 : Number.POSITIVE_INFINITY,
      note:
        `RSS ${mib(emulator.rssBeforeBytes)} → ${mib(emulator.rssAfterBytes)} (medians of ${READINGS}); ` +
        `trend ${perMillion(emulator.rssBytesPerPut)} (raw net ${perMillion(raw.rssBytesPerPut)}), ` +
        `readings ${mib(Math.min(...rssValues))}–${mib(Math.max(...rssValues))}; ` +
        `live heap ${mib(emulator.fresh.heapUsedBytes)} at start, ${mib(last.heapUsedBytes)} at the end; ` +
        `${perSecond(emulator.requests / emulator.seconds, 'PUT/s')}; ${emulator.failures} failures` +
        (complete
          ? ''
          : `; stopped by the ${context.settings.memory.maxSeconds} s bound before ${wanted.toLocaleString('en-US')} PUTs`),
    };
    const coldGrown = emulator.rssAfterBytes - emulator.fresh.rssBytes;
    const rawColdGrown = raw.rssAfterBytes - raw.fresh.rssBytes;
    const coldRow: FigureRow = {
      figure: '3',
      measure: 'the same, counted from the fresh process',
      value: mib(coldGrown),
      baseline: `raw net ${mib(rawColdGrown)}`,
      ratio: rawColdGrown > 0 ? coldGrown / rawColdGrown : null,
      note:
        `before the warm-up: V8's young generation grows from ${mib(space(emulator.fresh, 'new_space'))} to ` +
        `${mib(space(last, 'new_space'))} under any sustained load, whatever the count, and the raw node:net server grows too; ` +
        'the row above measures what the PUTs themselves add',
    };
    return { rows: [row, coldRow], details: { emulator, raw } };
  },
};

async function growth(
  context: FigureContext,
  kind: ServerKind,
  nodeFlags: readonly string[],
): Promise<Growth> {
  const { puts, maxSeconds } = context.settings.memory;
  const server: ServerProcess = await startServerProcess(kind, { prefix: context.pinning.server, nodeFlags });
  const burst = (seconds: number) =>
    context.load.run({
      url: server.url,
      connections: CONNECTIONS,
      durationSeconds: seconds,
      scenario: { kind: 'puts' },
      prefix: context.pinning.load,
    });
  try {
    const fresh = await server.stats(true);
    const readings: Reading[] = [];
    const read = async (start: number) => {
      const stats = await server.stats(true);
      readings.push({ puts: stats.connections - start, stats });
      return stats;
    };
    for (let index = 0; index < READINGS; index++) {
      await burst(1);
      await read(Number.POSITIVE_INFINITY);
    }
    const before = readings.map((reading) => reading.stats);
    const start = (before[before.length - 1] as ServerStats).connections;
    const sent = await sendPuts(server, puts, maxSeconds, burst, () => read(start));
    const atCount = readings[readings.length - 1] as Reading;
    const after = [atCount.stats];
    for (let index = 1; index < READINGS; index++) {
      await burst(1);
      after.push(await server.stats(true));
    }
    const counted = readings.filter((reading) => reading.puts >= 0);
    const rssBeforeBytes = median(before.map((stats) => stats.rssBytes));
    const rssAfterBytes = median(after.map((stats) => stats.rssBytes));
    context.log(
      `  ${kind}: ${atCount.puts.toLocaleString('en-US')} PUTs in ${sent.seconds.toFixed(1)} s, RSS ${mib(rssBeforeBytes)} → ${mib(rssAfterBytes)}`,
    );
    return {
      kind,
      requests: atCount.puts,
      seconds: sent.seconds,
      failures: sent.failures,
      fresh,
      rssBeforeBytes,
      rssAfterBytes,
      rssBytesPerPut: slope(counted.map((reading) => [reading.puts, reading.stats.rssBytes])),
      readings,
    };
  } finally {
    await server.stop();
  }
}

/**
 * Sends PUTs in bursts until `count` more have been answered, or `maxSeconds` have passed, reading
 * the server after each burst (the last reading is at or past the count).
 */
async function sendPuts(
  server: ServerProcess,
  count: number,
  maxSeconds: number,
  burst: (seconds: number) => ReturnType<FigureContext['load']['run']>,
  read: () => Promise<ServerStats>,
): Promise<{ seconds: number; failures: number }> {
  const start = (await server.stats()).connections;
  let seconds = 0;
  let failures = 0;
  let rate = 10_000;
  let answered = 0;
  while (answered < count && seconds < maxSeconds) {
    const length = Math.max(
      1,
      Math.min(MAX_BURST_SECONDS, Math.ceil((count - answered) / rate), Math.ceil(maxSeconds - seconds)),
    );
    const result = await burst(length);
    seconds += result.seconds;
    failures += result.errors.socket + result.errors.status;
    rate = Math.max(1, result.requests / result.seconds);
    answered = (await read()).connections - start;
  }
  return { seconds, failures };
}

/** Least-squares slope of y over x; NaN with fewer than three points (too few for a trend). */
function slope(points: ReadonlyArray<readonly [number, number]>): number {
  if (points.length < 3) return Number.NaN;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  let numerator = 0;
  let denominator = 0;
  for (const [x, y] of points) {
    numerator += (x - meanX) * (y - meanY);
    denominator += (x - meanX) ** 2;
  }
  return denominator === 0 ? Number.NaN : numerator / denominator;
}
