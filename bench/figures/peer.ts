/**
 * Figure 8: this emulator against the Go peer (aws/amazon-ec2-metadata-mock), when `AEMM_BIN` names a
 * peer binary the user built. Nothing of the peer is in this repository, nor a script that builds it.
 *
 * Both run as shipped commands with their default logging (`imds serve --http-tokens required` and
 * `$AEMM_BIN -n 127.0.0.1 -p PORT -I`, each logging every request to stderr, which goes to a file),
 * on 127.0.0.1 only, on the server core, under the same loads in interleaved rounds after a warm-up.
 * Every request asks for `Connection: close`: this emulator closes every connection as IMDS does, and
 * the peer keeps them open unless asked, so both pay for one connection per request. A rate counts
 * 200 answers only (for pairs: GETs that used the token their PUT just returned).
 *
 * The two token GET shapes also run against Node's floor, the raw `node:net` server of figure 1
 * started the same way (information rows: raw ÷ peer, and this emulator ÷ raw in the note).
 *
 * Each ratio is the median of per-round ratios, oriented so that above 1 means this emulator is
 * ahead (rates: this ÷ peer; start time and RSS: peer ÷ this). A peer that dies under a load is
 * reported as measured, with the reason it printed, and started again for the next load.
 * Start-up (spawn to the first 200 token PUT) and idle RSS (half a second after that answer) are
 * medians of several interleaved starts of each, read the same way through /proc.
 *
 * Pinned to one core, the Go runtime runs one thread of Go code at a time (GOMAXPROCS follows the
 * CPU affinity), so its unguarded token map is rarely written by two goroutines at once. The last
 * row runs the concurrent token PUTs again with both servers on every core, where that race is real.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { freeLoopbackPort, startExternalServer, type ExternalServer } from '../support/external-server.js';
import type { Figure, FigureContext, FigureRow } from '../support/figure.js';
import { ratioRow } from '../support/figure.js';
import { mib, ms, perSecond } from '../support/format.js';
import { fetchToken } from '../support/http.js';
import type { LoadScenario } from '../support/load.js';
import { benchFile, imdsServeArgs, REPO_ROOT } from '../support/paths.js';
import { median } from '../support/stats.js';

interface Shape {
  readonly name: string;
  readonly path: string;
  readonly connections: number;
  readonly pairs: boolean;
}

const SHAPES: readonly Shape[] = [
  { name: 'token GET instance-id, 1 conn', path: 'instance-id', connections: 1, pairs: false },
  { name: 'token GET instance-id, 32 conn', path: 'instance-id', connections: 32, pairs: false },
  { name: 'token PUT + GET pairs, 1 conn', path: 'instance-id', connections: 1, pairs: true },
  { name: 'token PUT + GET pairs, 32 conn', path: 'instance-id', connections: 32, pairs: true },
  { name: '`meta-data/` listing, 1 conn', path: '', connections: 1, pairs: false },
  { name: '`meta-data/` listing, 32 conn', path: '', connections: 32, pairs: false },
];

/**
 * The shapes also run against Node's floor, the raw `node:net` server (bench/servers/raw-net.ts:
 * one fixed response written, then the socket closed, nothing parsed): what any Node server gets
 * under the same load, so a ratio below 1 can be told apart from this emulator's own cost.
 * The pair shapes are left out, since the raw server hands out no real token.
 */
const FLOOR_SHAPES: ReadonlySet<string> = new Set([
  'token GET instance-id, 1 conn',
  'token GET instance-id, 32 conn',
]);

/** The concurrent token PUTs again, with both servers free to use every core. */
const UNPINNED_SHAPE: Shape = {
  name: 'token PUT + GET pairs, 32 conn, servers on all cores',
  path: 'instance-id',
  connections: 32,
  pairs: true,
};

/** As figure 11: the idle reading is taken this long after the first answer. */
const SETTLE_MS = 500;

/** One timed load run against one server. */
interface Run {
  /** 200 answers per second (pairs per second for the pair shapes). */
  readonly rate: number;
  /** Server CPU (user + system) per request, PUTs and GETs alike. */
  readonly cpuMicrosPerRequest: number;
  /** Socket errors, non-200 answers. */
  readonly failures: number;
}

interface ShapeSamples {
  readonly ours: Run[];
  /** Node's floor (the raw `node:net` server), for {@link FLOOR_SHAPES}. */
  readonly floor: Run[];
  /** The peer's runs that it survived, with their round (to pair each with ours of that round). */
  readonly theirs: (Run & { readonly round: number })[];
  /** How the peer died under this load, once per death. */
  readonly deaths: string[];
}

/** The long-running peer, started again after it dies. */
interface Peer {
  server: ExternalServer;
  restarts: number;
}

/**
 * Start and weight are held to Node baselines (figures 7 and 11: <= 1.6x `node -e 0`, <= 1.2x a raw
 * `node:net` server), as the third target sets; against a Go binary they are information,
 * since Node alone starts and idles above the peer's whole figure.
 */
const NODE_FLOOR =
  'held to figures 7 and 11, as a Node process alone is slower to start and heavier than the peer';

export const peer: Figure = {
  id: '8',
  title: 'against the Go peer (AEMM_BIN)',
  async run(context) {
    const bin = process.env.AEMM_BIN;
    if (bin === undefined || bin === '') {
      return {
        rows: [
          {
            figure: '8',
            measure: 'against the Go peer',
            value: 'not run',
            baseline: 'set AEMM_BIN to a peer binary you built',
            ratio: null,
          },
        ],
        details: { run: false },
      };
    }
    checkExecutable(bin);
    const starts = await measureStarts(context, bin);
    const ours = await startOurs(context, context.emulatorFlags);
    const floor = await startNodeFloor(context);
    const theirs: Peer = { server: await startPeer(context, bin), restarts: 0 };
    try {
      const { warmupSeconds, rounds } = context.settings.throughput;
      for (const server of [ours, floor, theirs.server]) await warmUp(context, server, warmupSeconds);
      const samples = new Map<string, ShapeSamples>(
        SHAPES.map((shape) => [shape.name, { ours: [], floor: [], theirs: [], deaths: [] }]),
      );
      for (let round = 0; round < rounds; round++) {
        for (const shape of SHAPES) {
          const entry = samples.get(shape.name) as ShapeSamples;
          const order = FLOOR_SHAPES.has(shape.name) ? ['ours', 'floor', 'theirs'] : ['ours', 'theirs'];
          for (const which of round % 2 === 0 ? order : order.reverse()) {
            if (which === 'ours') {
              entry.ours.push(await measureSurviving(context, ours, shape));
              continue;
            }
            if (which === 'floor') {
              entry.floor.push(await measureSurviving(context, floor, shape));
              continue;
            }
            const run = await measure(context, theirs.server, shape);
            const died = theirs.server.death();
            if (died === undefined) entry.theirs.push({ ...run, round });
            else {
              entry.deaths.push(died);
              context.log(`  the peer died under ${shape.name}: ${died}; starting it again`);
              await theirs.server.stop();
              theirs.server = await startPeer(context, bin);
              theirs.restarts++;
            }
          }
          context.log(`  round ${round + 1}/${rounds}, ${shape.name}: ${progress(entry)}`);
        }
      }
      const rows: FigureRow[] = SHAPES.flatMap((shape) => {
        const entry = samples.get(shape.name);
        const floorRow = FLOOR_SHAPES.has(shape.name) ? nodeFloorRow(shape, entry) : undefined;
        return floorRow === undefined ? [shapeRow(shape, entry)] : [shapeRow(shape, entry), floorRow];
      });
      await Promise.all([ours.stop(), floor.stop(), theirs.server.stop()]);
      const unpinned = await measureUnpinned(context, bin);
      rows.push(
        shapeRow(UNPINNED_SHAPE, unpinned),
        ratioRow({
          figure: '8',
          measure: 'spawn to first answer (peer ÷ this)',
          value: ms(median(starts.ours.ms)),
          baseline: `peer ${ms(median(starts.theirs.ms))}`,
          ratio: median(starts.theirs.ms) / median(starts.ours.ms),
          note: `medians of ${starts.ours.ms.length} interleaved starts each (to the first 200 token PUT); ${NODE_FLOOR}`,
        }),
        ratioRow({
          figure: '8',
          measure: 'idle RSS after the first answer (peer ÷ this)',
          value: mib(median(starts.ours.rss)),
          baseline: `peer ${mib(median(starts.theirs.rss))}`,
          ratio: median(starts.theirs.rss) / median(starts.ours.rss),
          note: `medians of ${starts.ours.rss.length} starts each, ${SETTLE_MS} ms after the first answer; ${NODE_FLOOR}`,
        }),
      );
      return {
        rows,
        details: {
          samples: Object.fromEntries(samples),
          unpinned,
          starts,
          peerRestarts: theirs.restarts,
        },
      };
    } finally {
      await Promise.all([ours.stop(), floor.stop(), theirs.server.stop()]);
    }
  },
};

/**
 * {@link UNPINNED_SHAPE}, once per round, each server started without a CPU prefix (the load
 * generator stays on its core); a peer that dies is started again for the next round.
 */
async function measureUnpinned(context: FigureContext, bin: string): Promise<ShapeSamples> {
  const free: FigureContext = { ...context, pinning: { ...context.pinning, server: [] } };
  const entry: ShapeSamples = { ours: [], floor: [], theirs: [], deaths: [] };
  const { rounds } = context.settings.throughput;
  for (let round = 0; round < rounds; round++) {
    for (const which of round % 2 === 0 ? ['ours', 'theirs'] : ['theirs', 'ours']) {
      const server = which === 'ours' ? await startOurs(free, []) : await startPeer(free, bin);
      try {
        if (which === 'ours') entry.ours.push(await measureSurviving(context, server, UNPINNED_SHAPE));
        else {
          const run = await measure(context, server, UNPINNED_SHAPE);
          const died = server.death();
          if (died === undefined) entry.theirs.push({ ...run, round });
          else entry.deaths.push(died);
        }
      } finally {
        await server.stop();
      }
    }
    context.log(`  round ${round + 1}/${rounds}, ${UNPINNED_SHAPE.name}: ${progress(entry)}`);
  }
  return entry;
}

/** A clear error for an AEMM_BIN that is not an executable file, before anything is spawned. */
function checkExecutable(bin: string): void {
  try {
    if (!statSync(bin).isFile()) throw new Error('not a file');
    accessSync(bin, constants.X_OK);
  } catch (error) {
    throw new Error(`AEMM_BIN=${bin}: not an executable file (${(error as Error).message})`);
  }
}

function progress(entry: ShapeSamples): string {
  const last = (runs: readonly Run[]) => {
    const run = runs.at(-1);
    return run === undefined ? '—' : perSecond(run.rate, '/s');
  };
  const died = entry.deaths.length > 0 ? `, peer died ${entry.deaths.length}x` : '';
  return `this ${last(entry.ours)}, peer ${last(entry.theirs)}${died}`;
}

function shapeRow(shape: Shape, entry: ShapeSamples | undefined): FigureRow {
  const ours = entry?.ours ?? [];
  const theirs = entry?.theirs ?? [];
  const deaths = entry?.deaths ?? [];
  const unit = shape.pairs ? 'pairs/s' : 'req/s';
  const rate = (runs: readonly Run[]) => median(runs.map((run) => run.rate));
  const cpu = (runs: readonly Run[]) => median(runs.map((run) => run.cpuMicrosPerRequest)).toFixed(1);
  const failures = [...ours, ...theirs].reduce((sum, run) => sum + run.failures, 0);
  const died =
    deaths.length === 0
      ? ''
      : `; the peer died in ${deaths.length} of ${deaths.length + theirs.length} runs: ${[...new Set(deaths)].join('; ')}`;
  if (theirs.length === 0) {
    return {
      figure: '8',
      measure: `${shape.name} (this ÷ peer)`,
      value: perSecond(rate(ours), unit),
      baseline: `peer died in every run`,
      ratio: null,
      note: `server CPU/request ${cpu(ours)} µs${died}`,
    };
  }
  // Per-round ratios, pairing each peer run with this emulator's run of the same round.
  const perRound = theirs.map((run) => (ours[run.round] as Run).rate / run.rate);
  return ratioRow({
    figure: '8',
    measure: `${shape.name} (this ÷ peer)`,
    value: perSecond(rate(ours), unit),
    baseline: `peer ${perSecond(rate(theirs), unit)}`,
    ratio: median(perRound),
    target: { op: '>=', value: 1 },
    note: `server CPU/request: this ${cpu(ours)} µs, peer ${cpu(theirs)} µs; ${failures} failed or non-200${died}`,
  });
}

/**
 * Node's floor beside the peer, on the same rounds: raw ÷ peer (info, no target), and this
 * emulator ÷ raw in the note, each the median of per-round ratios.
 */
function nodeFloorRow(shape: Shape, entry: ShapeSamples | undefined): FigureRow | undefined {
  const floor = entry?.floor ?? [];
  const ours = entry?.ours ?? [];
  const theirs = entry?.theirs ?? [];
  if (floor.length === 0 || theirs.length === 0) return undefined;
  const rate = (runs: readonly Run[]) => median(runs.map((run) => run.rate));
  const cpu = median(floor.map((run) => run.cpuMicrosPerRequest)).toFixed(1);
  const oursOverFloor = median(floor.map((run, round) => (ours[round] as Run).rate / run.rate));
  return ratioRow({
    figure: '8',
    measure: `floor: raw node:net server, ${shape.name} (raw ÷ peer)`,
    value: perSecond(rate(floor), 'req/s'),
    baseline: `peer ${perSecond(rate(theirs), 'req/s')}`,
    ratio: median(theirs.map((run) => (floor[run.round] as Run).rate / run.rate)),
    note: `one fixed response written and the socket closed, nothing parsed; server CPU/request ${cpu} µs; this emulator ÷ raw ${oursOverFloor.toFixed(2)}x`,
  });
}

async function measure(context: FigureContext, server: ExternalServer, shape: Shape): Promise<Run> {
  return loadRun(context, server, shape, context.settings.throughput.seconds);
}

/**
 * As {@link measure}, for a server that must survive every load (this emulator, Node's floor):
 * its death ends the figure, naming the server and why.
 */
async function measureSurviving(context: FigureContext, server: ExternalServer, shape: Shape): Promise<Run> {
  const run = await measure(context, server, shape);
  const died = server.death();
  if (died !== undefined) throw new Error(`${server.name} died under ${shape.name}: ${died}`);
  return run;
}

async function loadRun(
  context: FigureContext,
  server: ExternalServer,
  shape: Shape,
  seconds: number,
): Promise<Run> {
  const scenario: LoadScenario = shape.pairs
    ? { kind: 'pairs' }
    : { kind: 'get', token: await fetchToken(server.url) };
  const cpuBefore = server.cpuMicros();
  const result = await context.load.run({
    url: `${server.url}/latest/meta-data/${shape.path}`,
    connections: shape.connections,
    durationSeconds: seconds,
    scenario,
    prefix: context.pinning.load,
    connectionClose: true,
  });
  const cpuMicros = server.death() === undefined ? server.cpuMicros() - cpuBefore : Number.NaN;
  server.trimLog();
  // A pair counts once its GET, with the token its PUT returned, answered 200.
  const ok = shape.pairs ? (result.counters.ok_gets ?? 0) : result.requests - result.errors.status;
  return {
    rate: ok / result.seconds,
    cpuMicrosPerRequest: cpuMicros / Math.max(1, result.requests),
    failures: result.errors.socket + result.errors.status + (result.counters.bad ?? 0),
  };
}

/** Untimed load first, so neither server is measured while cold (V8's JIT, Go's heap growth). */
async function warmUp(context: FigureContext, server: ExternalServer, seconds: number): Promise<void> {
  for (const shape of SHAPES.filter((candidate) => !candidate.pairs || candidate.connections === 1))
    await loadRun(context, server, shape, Math.max(1, seconds / 2));
}

/** Interleaved starts of each, without profiling flags: spawn to first 200 PUT, and RSS when idle. */
async function measureStarts(context: FigureContext, bin: string) {
  const count = context.settings.quick ? 3 : 7;
  const readings = {
    ours: { ms: [] as number[], rss: [] as number[] },
    theirs: { ms: [] as number[], rss: [] as number[] },
  };
  for (let run = 0; run < count; run++) {
    for (const which of run % 2 === 0 ? (['ours', 'theirs'] as const) : (['theirs', 'ours'] as const)) {
      const server = which === 'ours' ? await startOurs(context, []) : await startPeer(context, bin);
      try {
        await delay(SETTLE_MS);
        readings[which].ms.push(server.startMs);
        readings[which].rss.push(server.rssBytes());
      } finally {
        await server.stop();
      }
    }
  }
  return readings;
}

async function startOurs(context: FigureContext, nodeFlags: readonly string[]): Promise<ExternalServer> {
  const port = await freeLoopbackPort();
  return startExternalServer({
    name: 'imds serve',
    command: process.execPath,
    args: [...nodeFlags, ...imdsServeArgs(port, '--http-tokens', 'required')],
    url: `http://127.0.0.1:${port}`,
    prefix: context.pinning.server,
  });
}

/** Node's floor: bench/servers/raw-net.ts as a command, on the server core. */
async function startNodeFloor(context: FigureContext): Promise<ExternalServer> {
  const port = await freeLoopbackPort();
  return startExternalServer({
    name: 'raw node:net',
    command: process.execPath,
    args: ['--import', 'tsx', benchFile('servers/raw-net-main.ts'), String(port)],
    url: `http://127.0.0.1:${port}`,
    prefix: context.pinning.server,
    cwd: REPO_ROOT,
  });
}

async function startPeer(context: FigureContext, bin: string): Promise<ExternalServer> {
  const port = await freeLoopbackPort();
  return startExternalServer({
    name: 'peer',
    command: bin,
    // `-n 127.0.0.1`: the peer listens on every address by default. `-I`: IMDSv2 only, as ours.
    args: ['-n', '127.0.0.1', '-p', String(port), '-I'],
    url: `http://127.0.0.1:${port}`,
    prefix: context.pinning.server,
  });
}
