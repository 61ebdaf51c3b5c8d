/**
 * `npm run bench [-- --quick] [--only 1,3] [--no-pin] [--profile] [--load wrk|node]`: measures the figures of issue 5,
 * each as a ratio to a baseline measured in the same run, prints a table and writes
 * bench/results.json.
 *
 * - `--quick`: shorter runs (the whole bench in under 3 minutes), 200,000 PUTs for the memory figure.
 * - `--only 1,3`: run only those figures.
 * - `--no-pin`: do not pin the server and the load generator to separate cores.
 * - `--profile`: start the emulator children with `--cpu-prof` (profiles in bench/profiles/).
 * - `--load wrk|node`: insist on a load generator (default: wrk when installed, else the Node one).
 * - `AEMM_BIN=/path/to/peer`: figure 8 runs a peer emulator binary you built under the same loads.
 *
 * Everything talks to 127.0.0.1 only, and every run is bounded in time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { auditCost } from './figures/audit-cost.js';
import { cliGet } from './figures/cli-get.js';
import { clientGet } from './figures/client-get.js';
import { dump } from './figures/dump.js';
import { fleet } from './figures/fleet.js';
import { getThroughput } from './figures/get-throughput.js';
import { idleRss } from './figures/idle-rss.js';
import { peer } from './figures/peer.js';
import { record } from './figures/record.js';
import { serveStart } from './figures/serve-start.js';
import { tokenMemory } from './figures/token-memory.js';
import { tokenPairs } from './figures/token-pairs.js';
import { workers } from './figures/workers.js';
import { valuesPileup } from './figures/values-pileup.js';
import { choosePinning } from './support/cpus.js';
import { ensureBuilt } from './support/build.js';
import { passes, type Figure, type FigureContext, type FigureRow } from './support/figure.js';
import { findLoadGenerator } from './support/find-load-generator.js';
import { benchFile } from './support/paths.js';
import { FULL_SETTINGS, QUICK_SETTINGS } from './support/settings.js';
import { describeTarget, renderTable, resultOf } from './support/table.js';

// Start-up and idle memory first: the load figures leave the host's socket table tens of thousands
// of TIME_WAIT rows long for a minute, and figure 11's first caller lookup reads that table (ADR 0022).
const FIGURES: readonly Figure[] = [
  serveStart,
  idleRss,
  getThroughput,
  tokenPairs,
  tokenMemory,
  cliGet,
  clientGet,
  dump,
  fleet,
  peer,
  workers,
  auditCost,
  record,
  valuesPileup,
];

const USAGE = `usage: npm run bench -- [--quick] [--only ID,...] [--no-pin] [--profile] [--load wrk|node]
  --quick     shorter rounds (about 5 minutes)
  --only      run these figures only: ${FIGURES.map((figure) => figure.id).join(', ')}
  --no-pin    do not pin servers and load to cores
  --profile   run the emulator under --cpu-prof (bench/profiles/)
  --load      the load generator (default: wrk when installed, else node)
Figure 8 runs the Go peer when AEMM_BIN names a binary you built.
`;

function parseBenchArgs() {
  try {
    return parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string' },
        'no-pin': { type: 'boolean', default: false },
        profile: { type: 'boolean', default: false },
        load: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const { values } = parseBenchArgs();
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const started = performance.now();
const settings = values.quick ? QUICK_SETTINGS : FULL_SETTINGS;
const wanted = values.only?.split(',').map((id) => id.trim());
const figures = FIGURES.filter((figure) => wanted === undefined || wanted.includes(figure.id));
const unknown = wanted?.filter((id) => !FIGURES.some((figure) => figure.id === id)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(`bench: --only: no figure ${unknown.join(', ')}\n${USAGE}`);
  process.exit(2);
}
const log = (message: string) => process.stderr.write(`${message}\n`);

const build = await ensureBuilt(log);
const load = findLoadGenerator(values.load);
const pinning = choosePinning(!values['no-pin']);
const profileDir = benchFile('profiles');
if (values.profile) mkdirSync(profileDir, { recursive: true });
const context: FigureContext = {
  settings,
  load,
  pinning,
  emulatorFlags: values.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  log,
};
log(
  `bench: ${settings.quick ? 'quick' : 'full'} run, load generator ${load.name}, pinning: ${pinning.description}`,
);

const rows: FigureRow[] = [];
const details: Record<string, unknown> = {};
// A figure that fails (a server that would not start, a crashed load generator) is reported as a
// row and the run goes on: one broken figure must not throw away the others' rounds.
const broken: string[] = [];
for (const figure of figures) {
  const figureStart = performance.now();
  log(`figure ${figure.id}: ${figure.title}`);
  try {
    const outcome = await figure.run(context);
    rows.push(...outcome.rows);
    details[figure.id] = {
      title: figure.title,
      seconds: (performance.now() - figureStart) / 1000,
      details: outcome.details,
    };
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0] ?? String(error);
    log(`figure ${figure.id} failed: ${(error as Error).message}`);
    broken.push(figure.id);
    rows.push({
      figure: figure.id,
      measure: `${figure.title}: failed`,
      value: reason,
      baseline: '—',
      ratio: null,
    });
    details[figure.id] = {
      title: figure.title,
      seconds: (performance.now() - figureStart) / 1000,
      error: reason,
    };
  }
}

const seconds = (performance.now() - started) / 1000;
const table = renderTable(rows);
const failed = rows.filter((row) => passes(row) === false);
process.stdout.write(`\n${table}\n\n`);
process.stdout.write(
  `${settings.quick ? 'Quick' : 'Full'} run, ${seconds.toFixed(0)} s; ${load.name}; ${pinning.description}; ` +
    `${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}. ` +
    `${failed.length === 0 ? 'All targets met.' : `Missed: ${failed.map((row) => `${row.figure} ${row.measure}`).join('; ')}.`}` +
    `${broken.length === 0 ? '' : ` Failed to run: figure ${broken.join(', ')}.`}\n`,
);

writeFileSync(
  benchFile('results.json'),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      mode: settings.quick ? 'quick' : 'full',
      seconds,
      machine: {
        cpu: os.cpus()[0]?.model,
        cores: os.availableParallelism(),
        node: process.version,
        platform: `${os.type()} ${os.release()}`,
      },
      loadGenerator: load.name,
      pinning: pinning.description,
      build,
      rows: rows.map((row) => ({ ...row, targetText: describeTarget(row), result: resultOf(row) })),
      figures: details,
    },
    null,
    2,
  )}\n`,
);
log(`wrote bench/results.json`);
// Missed targets are results; a figure that could not run is a failure of the bench itself.
if (broken.length > 0) process.exitCode = 1;
