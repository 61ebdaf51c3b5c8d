/**
 * Figure 6: `imds dump` of the default tree (the shipped command, spawn to exit) against a
 * sequential walk as a shell script does it (bench/probes/walk.sh: one curl after another), both
 * against the emulator in its own process. The emulator counts the requests each makes, to show
 * both read the same tree. A second row compares the library's walk with 8 requests in flight to
 * the same walk one at a time, in one process, without any process start.
 */
import type { Figure, FigureRow } from '../support/figure.js';
import { ratioRow } from '../support/figure.js';
import { ms } from '../support/format.js';
import { timeCommands } from '../support/command-timing.js';
import { clientEnv } from '../support/env.js';
import { benchFile, IMDS_BIN } from '../support/paths.js';
import { runProcess } from '../support/run-process.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const TARGET = 5;

export const dump: Figure = {
  id: '6',
  title: '`imds dump` vs a sequential walk',
  async run(context) {
    const server = await startServerProcess('emulator', { nodeFlags: context.emulatorFlags });
    try {
      const dumpArgs = [IMDS_BIN, 'dump', '--endpoint', server.url];
      const walkArgs = [benchFile('probes/walk.sh'), server.url];
      const requests = {
        dump: await requestsMadeBy(server, process.execPath, dumpArgs),
        walk: await requestsMadeBy(server, 'bash', walkArgs),
      };
      const timings = await timeCommands(
        [
          { name: 'imds dump', file: process.execPath, args: dumpArgs, env: clientEnv() },
          { name: 'walk.sh', file: 'bash', args: walkArgs },
        ],
        context.settings.dumpRuns,
        1,
      );
      const dumpTime = timings.get('imds dump');
      const walkTime = timings.get('walk.sh');
      if (dumpTime === undefined || walkTime === undefined) throw new Error('missing timings');
      const probe = await runProcess(
        process.execPath,
        [
          '--import',
          'tsx',
          benchFile('probes/client-dump.ts'),
          server.url,
          String(context.settings.dumpRuns * 4),
        ],
        {
          env: clientEnv(),
          timeoutMs: 120_000,
        },
      );
      if (probe.code !== 0) throw new Error(`client-dump probe failed: ${probe.stderr.trim()}`);
      const inProcess = JSON.parse(probe.stdout) as {
        runs: number;
        parallelMs: number;
        sequentialMs: number;
      };
      const rows: FigureRow[] = [
        ratioRow({
          figure: '6',
          measure: '`imds dump` speed-up over a sequential curl walk',
          value: `dump ${ms(dumpTime.median)}`,
          baseline: `walk.sh ${ms(walkTime.median)}`,
          ratio: walkTime.median / dumpTime.median,
          target: { op: '>=', value: TARGET },
          note: `medians of ${dumpTime.n} runs; requests per walk: dump ${requests.dump}, walk.sh ${requests.walk}`,
        }),
        ratioRow({
          figure: '6',
          measure: 'library dump speed-up, 8 in flight vs 1 (in process)',
          value: `8: ${ms(inProcess.parallelMs)}`,
          baseline: `1: ${ms(inProcess.sequentialMs)}`,
          ratio: inProcess.sequentialMs / inProcess.parallelMs,
          note: `medians of ${inProcess.runs} runs each, no process start in either`,
        }),
      ];
      return { rows, details: { requests, dump: dumpTime, walk: walkTime, inProcess } };
    } finally {
      await server.stop();
    }
  },
};

/** Runs the command once and returns how many requests the emulator answered meanwhile. */
async function requestsMadeBy(server: ServerProcess, file: string, args: readonly string[]): Promise<number> {
  const before = await server.stats();
  const result = await runProcess(file, args, { env: clientEnv(), timeoutMs: 60_000 });
  if (result.code !== 0)
    throw new Error(`${args.join(' ')} exited ${String(result.code)}: ${result.stderr.trim()}`);
  const after = await server.stats();
  return after.connections - before.connections;
}
