/**
 * Figure 4: `imds get instance-id` (the shipped `bin/imds.js`, which loads `dist/`) against the
 * emulator, from spawn to exit, versus `node -e 0`: what the command adds to starting Node. Median
 * of many interleaved runs. An info row gives the floor under it: a bare script making the same two
 * exchanges over `node:net` (bench/probes/two-exchanges.cjs), what any Node client pays.
 */
import type { Figure } from '../support/figure.js';
import { ratioRow } from '../support/figure.js';
import { ms } from '../support/format.js';
import { timeCommands } from '../support/command-timing.js';
import { clientEnv } from '../support/env.js';
import { benchFile, IMDS_BIN } from '../support/paths.js';
import { startServerProcess } from '../support/server-process.js';
import { FIXED_BODY } from '../servers/fixed-response.js';

const TARGET = 1.15;

export const cliGet: Figure = {
  id: '4',
  title: '`imds get instance-id` wall time',
  async run(context) {
    const server = await startServerProcess('emulator', { nodeFlags: context.emulatorFlags });
    try {
      const timings = await timeCommands(
        [
          { name: 'node -e 0', file: process.execPath, args: ['-e', '0'] },
          {
            name: 'floor',
            file: process.execPath,
            args: [benchFile('probes/two-exchanges.cjs'), server.url],
            env: clientEnv(),
            check(result) {
              if (result.stdout !== `${FIXED_BODY}\n`)
                throw new Error(`two-exchanges.cjs printed ${JSON.stringify(result.stdout)}`);
            },
          },
          {
            name: 'imds get',
            file: process.execPath,
            args: [IMDS_BIN, 'get', 'instance-id', '--endpoint', server.url],
            env: clientEnv(),
            check(result) {
              if (result.stdout !== `${FIXED_BODY}\n`)
                throw new Error(`imds get printed ${JSON.stringify(result.stdout)}`);
            },
          },
        ],
        context.settings.cliRuns,
      );
      const node = timings.get('node -e 0');
      const get = timings.get('imds get');
      const floor = timings.get('floor');
      if (node === undefined || get === undefined || floor === undefined) throw new Error('missing timings');
      return {
        rows: [
          ratioRow({
            figure: '4',
            measure: '`imds get instance-id` wall time',
            value: ms(get.median),
            baseline: `node -e 0 ${ms(node.median)}`,
            ratio: get.median / node.median,
            target: { op: '<=', value: TARGET },
            note: `medians of ${get.n} runs; imds get p25–p75 ${ms(get.p25)}–${ms(get.p75)}, node -e 0 ${ms(node.p25)}–${ms(node.p75)}`,
          }),
          ratioRow({
            figure: '4',
            measure: 'floor: two bare `node:net` exchanges and one write',
            value: ms(floor.median),
            baseline: `node -e 0 ${ms(node.median)}`,
            ratio: floor.median / node.median,
            note: `bench/probes/two-exchanges.cjs, the same token PUT and GET with nothing else; p25–p75 ${ms(floor.p25)}–${ms(floor.p75)}`,
          }),
        ],
        details: { imdsGet: get, nodeE0: node, floor },
      };
    } finally {
      await server.stop();
    }
  },
};
