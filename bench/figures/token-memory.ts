/**
 * Figure 3: the emulator's resident memory after 1,000,000 token PUTs (200,000 with `--quick`)
 * minus before, both read after a full garbage collection, in a fresh emulator process that first
 * answers a 2-second burst of warm-up PUTs (so the JIT, socket buffers and V8's young generation,
 * which grows under any sustained load, are in place before the first reading). The same count of connections against the raw `node:net` baseline shows what Node's
 * own connection handling leaves behind. The PUTs are sent in bursts of a few seconds until the
 * server's own count reaches the number (wrk cannot stop at a count without waiting out its
 * duration), bounded in total time.
 */
import type { Figure, FigureContext, FigureRow } from '../support/figure.js';
import { mib, perSecond } from '../support/format.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import type { ServerKind, ServerStats } from '../servers/kinds.js';

const CONNECTIONS = 32;
const TARGET_MIB = 10;
const MAX_BURST_SECONDS = 5;

interface Growth {
  readonly kind: ServerKind;
  readonly requests: number;
  readonly seconds: number;
  readonly failures: number;
  /** Right after start, before the warm-up. */
  readonly fresh: ServerStats;
  readonly before: ServerStats;
  readonly after: ServerStats;
}

export const tokenMemory: Figure = {
  id: '3',
  title: 'memory after token PUTs',
  async run(context) {
    const emulator = await growth(context, 'emulator', context.emulatorFlags);
    const raw = await growth(context, 'raw-net', []);
    const grown = emulator.after.rssBytes - emulator.before.rssBytes;
    const rawGrown = raw.after.rssBytes - raw.before.rssBytes;
    const wanted = context.settings.memory.puts;
    const complete = emulator.requests >= wanted;
    const space = (stats: ServerStats, name: string) => stats.heapSpaces[name] ?? 0;
    const row: FigureRow = {
      figure: '3',
      measure: `RSS growth over ${emulator.requests.toLocaleString('en-US')} token PUTs`,
      value: mib(grown),
      baseline: `raw net ${mib(rawGrown)} (same count)`,
      // Either difference can be about zero or negative (a collection returned pages): no ratio.
      ratio: null,
      target: { op: '<=', value: TARGET_MIB, unit: 'MiB' },
      // An incomplete run proves nothing about the full count: it counts as a miss.
      checked: complete ? grown / 2 ** 20 : Number.POSITIVE_INFINITY,
      note:
        `RSS ${mib(emulator.before.rssBytes)} → ${mib(emulator.after.rssBytes)}; ` +
        `live heap ${mib(emulator.before.heapUsedBytes)} → ${mib(emulator.after.heapUsedBytes)}; ` +
        `V8 new space ${mib(space(emulator.before, 'new_space'))} → ${mib(space(emulator.after, 'new_space'))}, ` +
        `old space ${mib(space(emulator.before, 'old_space'))} → ${mib(space(emulator.after, 'old_space'))}; ` +
        `${perSecond(emulator.requests / emulator.seconds, 'PUT/s')}; ${emulator.failures} failures` +
        (complete ? '' : `; stopped by the ${context.settings.memory.maxSeconds} s bound before ${wanted.toLocaleString('en-US')} PUTs`),
    };
    const coldGrown = emulator.after.rssBytes - emulator.fresh.rssBytes;
    const rawColdGrown = raw.after.rssBytes - raw.fresh.rssBytes;
    const coldRow: FigureRow = {
      figure: '3',
      measure: 'the same, counted from the fresh process',
      value: mib(coldGrown),
      baseline: `raw net ${mib(rawColdGrown)}`,
      ratio: rawColdGrown > 0 ? coldGrown / rawColdGrown : null,
      note:
        `before the ${context.settings.memory.warmupSeconds} s warm-up burst: V8's young generation grows from ` +
        `${mib(space(emulator.fresh, 'new_space'))} to ${mib(space(emulator.after, 'new_space'))} under any sustained load, ` +
        'whatever the count, and the raw node:net server grows too; the row above measures what the PUTs themselves add',
    };
    return { rows: [row, coldRow], details: { emulator, raw } };
  },
};

async function growth(context: FigureContext, kind: ServerKind, nodeFlags: readonly string[]): Promise<Growth> {
  const { puts, warmupSeconds, maxSeconds } = context.settings.memory;
  const server: ServerProcess = await startServerProcess(kind, { prefix: context.pinning.server, nodeFlags });
  try {
    const fresh = await server.stats(true);
    await context.load.run({ url: server.url, connections: CONNECTIONS, durationSeconds: warmupSeconds, scenario: { kind: 'puts' }, prefix: context.pinning.load });
    const before = await server.stats(true);
    const { seconds, failures } = await sendPuts(context, server, puts, maxSeconds);
    const after = await server.stats(true);
    const requests = after.connections - before.connections;
    context.log(`  ${kind}: ${requests.toLocaleString('en-US')} PUTs in ${seconds.toFixed(1)} s, RSS ${mib(before.rssBytes)} → ${mib(after.rssBytes)}`);
    return { kind, requests, seconds, failures, fresh, before, after };
  } finally {
    await server.stop();
  }
}

/** Sends PUTs in bursts until the server has answered `count` more, or `maxSeconds` have passed. */
async function sendPuts(context: FigureContext, server: ServerProcess, count: number, maxSeconds: number): Promise<{ seconds: number; failures: number }> {
  const start = (await server.stats()).connections;
  let seconds = 0;
  let failures = 0;
  let rate = 10_000;
  for (;;) {
    const remaining = count - ((await server.stats()).connections - start);
    if (remaining <= 0 || seconds >= maxSeconds) return { seconds, failures };
    const burst = Math.max(1, Math.min(MAX_BURST_SECONDS, Math.ceil(remaining / rate), Math.ceil(maxSeconds - seconds)));
    const result = await context.load.run({ url: server.url, connections: CONNECTIONS, durationSeconds: burst, scenario: { kind: 'puts' }, prefix: context.pinning.load });
    seconds += result.seconds;
    failures += result.errors.socket + result.errors.status;
    rate = Math.max(1, result.requests / result.seconds);
  }
}
