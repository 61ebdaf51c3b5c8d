/**
 * Figure 8: this emulator against the Go peer (aws/amazon-ec2-metadata-mock), when `AEMM_BIN` names a
 * peer binary the user built. Nothing of the peer is in this repository, nor a script that builds it.
 *
 * Both run as shipped commands on the server core (`imds serve --http-tokens required` and
 * `$AEMM_BIN -n 127.0.0.1 -p PORT -I`), on 127.0.0.1 only, under the same loads in interleaved
 * rounds; each ratio (this emulator ÷ the peer, so above 1 means ahead) is the median of per-round
 * ratios. A peer that dies under a load is reported as measured, with the end of its stderr.
 * Start-up (spawn to the first 200 token PUT) and idle RSS after the first answer are read the same
 * way for both, through /proc.
 */
import { freeLoopbackPort, startExternalServer, type ExternalServer } from '../support/external-server.js';
import type { Figure, FigureContext, FigureRow } from '../support/figure.js';
import { ratioRow } from '../support/figure.js';
import { mib, ms, perSecond } from '../support/format.js';
import { fetchToken } from '../support/http.js';
import type { LoadScenario } from '../support/load.js';
import { IMDS_BIN } from '../support/paths.js';
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
    const ours = await startOurs(context);
    const theirs = await startPeer(context, bin);
    try {
      const idle = { ours: ours.rssBytes(), theirs: theirs.rssBytes() };
      const rounds = context.settings.throughput.rounds;
      const rates = new Map<string, { ours: number[]; theirs: number[]; died?: string }>();
      for (let round = 0; round < rounds; round++) {
        for (const shape of SHAPES) {
          const entry = rates.get(shape.name) ?? { ours: [], theirs: [] };
          rates.set(shape.name, entry);
          const order = round % 2 === 0 ? [ours, theirs] : [theirs, ours];
          for (const server of order) {
            if (server.death() !== undefined) continue;
            const rate = await measure(context, server, shape);
            const died = server.death();
            if (server === theirs && died !== undefined) entry.died = died;
            else (server === ours ? entry.ours : entry.theirs).push(rate);
          }
          context.log(`  round ${round + 1}/${rounds}, ${shape.name}: done`);
        }
      }
      const rows: FigureRow[] = SHAPES.map((shape) => shapeRow(shape, rates.get(shape.name)));
      rows.push(
        ratioRow({
          figure: '8',
          measure: 'spawn to first answer (peer ÷ this)',
          value: ms(ours.startMs),
          baseline: `peer ${ms(theirs.startMs)}`,
          ratio: theirs.startMs / ours.startMs,
          note: 'one start each; figure 7 has the median of many starts of ours',
        }),
        ratioRow({
          figure: '8',
          measure: 'idle RSS after the first answer (peer ÷ this)',
          value: mib(idle.ours),
          baseline: `peer ${mib(idle.theirs)}`,
          ratio: idle.theirs / idle.ours,
        }),
      );
      return { rows, details: { rates: Object.fromEntries(rates), idle } };
    } finally {
      await Promise.all([ours.stop(), theirs.stop()]);
    }
  },
};

function shapeRow(
  shape: Shape,
  entry: { ours: number[]; theirs: number[]; died?: string } | undefined,
): FigureRow {
  const ours = entry?.ours ?? [];
  const theirs = entry?.theirs ?? [];
  if (entry?.died !== undefined && theirs.length === 0) {
    return {
      figure: '8',
      measure: `${shape.name} (this ÷ peer)`,
      value: perSecond(median(ours)),
      baseline: `peer died: ${entry.died}`.slice(0, 120),
      ratio: null,
    };
  }
  const perRound = ours.slice(0, theirs.length).map((rate, index) => rate / (theirs[index] as number));
  return ratioRow({
    figure: '8',
    measure: `${shape.name} (this ÷ peer)`,
    value: perSecond(median(ours), shape.pairs ? 'pairs/s' : 'req/s'),
    baseline: `peer ${perSecond(median(theirs), shape.pairs ? 'pairs/s' : 'req/s')}`,
    ratio: median(perRound),
    target: { op: '>=', value: 1 },
    ...(entry?.died !== undefined ? { note: `peer died in a later round: ${entry.died}`.slice(0, 120) } : {}),
  });
}

async function measure(context: FigureContext, server: ExternalServer, shape: Shape): Promise<number> {
  const scenario: LoadScenario = shape.pairs
    ? { kind: 'pairs' }
    : { kind: 'get', token: await fetchToken(server.url) };
  const result = await context.load.run({
    url: `${server.url}/latest/meta-data/${shape.path}`,
    connections: shape.connections,
    durationSeconds: context.settings.throughput.seconds,
    scenario,
    prefix: context.pinning.load,
  });
  // A pair is two requests; report pairs per second for the pair shapes.
  const requests = shape.pairs ? result.requests / 2 : result.requests;
  return requests / result.seconds;
}

async function startOurs(context: FigureContext): Promise<ExternalServer> {
  const port = await freeLoopbackPort();
  return startExternalServer({
    name: 'imds serve',
    command: process.execPath,
    args: [IMDS_BIN, 'serve', '--host', '127.0.0.1', '--port', String(port), '--http-tokens', 'required'],
    url: `http://127.0.0.1:${port}`,
    prefix: context.pinning.server,
  });
}

async function startPeer(context: FigureContext, bin: string): Promise<ExternalServer> {
  const port = await freeLoopbackPort();
  return startExternalServer({
    name: 'peer',
    command: bin,
    // `-n 127.0.0.1`: the peer listens on every address by default.
    args: ['-n', '127.0.0.1', '-p', String(port), '-I'],
    url: `http://127.0.0.1:${port}`,
    prefix: context.pinning.server,
  });
}
