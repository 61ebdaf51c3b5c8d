/**
 * Figure 5: the library's warm `client.get('instance-id')` (token cached) against one raw
 * `http.get` of the same URL, measured in a separate process (bench/probes/client-get.ts) against
 * the emulator in another.
 */
import type { Figure } from '../support/figure.js';
import { ratioRow } from '../support/figure.js';
import { us } from '../support/format.js';
import { clientEnv } from '../support/env.js';
import { benchFile } from '../support/paths.js';
import { runProcess } from '../support/run-process.js';
import { startServerProcess } from '../support/server-process.js';

const TARGET = 1.2;

interface ProbeTimes {
  readonly medianUs: number;
  readonly p25Us: number;
  readonly p75Us: number;
  readonly p99Us: number;
}

export const clientGet: Figure = {
  id: '5',
  title: 'warm client.get vs raw http.get',
  async run(context) {
    const server = await startServerProcess('emulator', { nodeFlags: context.emulatorFlags });
    try {
      const result = await runProcess(
        process.execPath,
        [
          '--import',
          'tsx',
          benchFile('probes/client-get.ts'),
          server.url,
          String(context.settings.clientCalls),
        ],
        { env: clientEnv(), timeoutMs: 120_000 },
      );
      if (result.code !== 0) throw new Error(`client-get probe failed: ${result.stderr.trim()}`);
      const probe = JSON.parse(result.stdout) as { calls: number; client: ProbeTimes; raw: ProbeTimes };
      return {
        rows: [
          ratioRow({
            figure: '5',
            measure: "warm `client.get('instance-id')`",
            value: us(probe.client.medianUs),
            baseline: `raw http.get ${us(probe.raw.medianUs)}`,
            ratio: probe.client.medianUs / probe.raw.medianUs,
            target: { op: '<=', value: TARGET },
            note: `medians of ${probe.calls} alternating calls; p25–p75 client ${us(probe.client.p25Us)}–${us(probe.client.p75Us)}, raw ${us(probe.raw.p25Us)}–${us(probe.raw.p75Us)}`,
          }),
        ],
        details: probe,
      };
    } finally {
      await server.stop();
    }
  },
};
