/**
 * Figure 4: `imds get instance-id` (the shipped `bin/imds.js`, which loads `dist/`) against the
 * emulator, from spawn to exit, versus `node -e 0`: what the command adds to starting Node. Median
 * of many interleaved runs.
 */
import type { Figure } from '../support/figure.js';
import { ratioRow } from '../support/figure.js';
import { ms } from '../support/format.js';
import { timeCommands } from '../support/command-timing.js';
import { clientEnv } from '../support/env.js';
import { IMDS_BIN } from '../support/paths.js';
import { startServerProcess } from '../support/server-process.js';
import { FIXED_BODY } from '../servers/fixed-response.js';

const TARGET = 1.3;

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
      if (node === undefined || get === undefined) throw new Error('missing timings');
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
        ],
        details: { imdsGet: get, nodeE0: node },
      };
    } finally {
      await server.stop();
    }
  },
};
