/**
 * Figure "record": `imds record` of the default instance's whole tree (every version) against a
 * sequential walk of the same tree (`--concurrency 1`), both unpaced (`--rate 0`) so the figure
 * measures the crawl, not the politeness limit; a third row shows the shipped default (4 in
 * flight, at most 250 requests a second), whose time is bounded below by requests / 250. Each run
 * must write a recording; the requests sent are read from the command's own summary and checked
 * against the emulator's connection count.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Figure, FigureRow } from '../support/figure.js';
import { ratioRow } from '../support/figure.js';
import { ms } from '../support/format.js';
import { timeCommands } from '../support/command-timing.js';
import { clientEnv } from '../support/env.js';
import { IMDS_BIN } from '../support/paths.js';
import type { ProcessResult } from '../support/run-process.js';
import { startServerProcess } from '../support/server-process.js';

function requestsOf(result: ProcessResult): number {
  const sent = /with (\d+) requests/.exec(result.stderr)?.[1];
  if (sent === undefined) throw new Error(`imds record printed no summary: ${result.stderr.trim()}`);
  return Number(sent);
}

export const record: Figure = {
  id: 'record',
  title: '`imds record` (all versions) vs a sequential walk',
  async run(context) {
    const server = await startServerProcess('emulator', { nodeFlags: context.emulatorFlags });
    const dir = mkdtempSync(join(tmpdir(), 'imds-bench-record-'));
    const runs = Math.min(context.settings.dumpRuns, 5);
    try {
      const requests: Record<string, number> = {};
      const command = (name: string, flags: string[]) => {
        const file = join(dir, `${name}.yaml`);
        return {
          name,
          file: process.execPath,
          args: [IMDS_BIN, 'record', '-q', '--endpoint', server.url, ...flags, file],
          env: clientEnv(),
          check(result: ProcessResult) {
            requests[name] = requestsOf(result);
            if (!readFileSync(file, 'utf8').includes('format: ec2-imds-recording/1'))
              throw new Error(`${name} wrote no recording`);
          },
        };
      };
      const before = await server.stats();
      const timings = await timeCommands(
        [
          command('parallel', ['--rate', '0']),
          command('sequential', ['--rate', '0', '--concurrency', '1']),
          command('default', []),
        ],
        runs,
        1,
      );
      const after = await server.stats();
      const parallel = timings.get('parallel');
      const sequential = timings.get('sequential');
      const paced = timings.get('default');
      if (!parallel || !sequential || !paced) throw new Error('missing timings');
      const size = readFileSync(join(dir, 'parallel.yaml')).length;
      const rows: FigureRow[] = [
        ratioRow({
          figure: 'record',
          measure: '`imds record` speed-up, 4 in flight vs 1 (unpaced, all versions)',
          value: `4: ${ms(parallel.median)}`,
          baseline: `1: ${ms(sequential.median)}`,
          ratio: sequential.median / parallel.median,
          // No target: on loopback both walks are bound by the emulator's CPU, not by waiting; the
          // parallel walk pays off where each request waits on a network round trip.
          note: `medians of ${parallel.n} runs; ${requests.parallel} requests per recording (sequential ${requests.sequential}); file ${size} bytes`,
        }),
        ratioRow({
          figure: 'record',
          measure: '`imds record` with its defaults (at most 250 req/s) vs unpaced',
          value: `default ${ms(paced.median)}`,
          baseline: `unpaced ${ms(parallel.median)}`,
          ratio: paced.median / parallel.median,
          note: `floor: ${requests.default} requests / 250 per s = ${ms(((requests.default ?? 0) * 1000) / 250)}`,
        }),
      ];
      const connections = after.connections - before.connections;
      return { rows, details: { requests, connections, fileBytes: size, parallel, sequential, paced } };
    } finally {
      await server.stop();
    }
  },
};
