/**
 * Figure 6's in-process view, in its own process: `client.dump()` (8 requests in flight) against
 * the same walk one request at a time (`concurrency: 1`), with no process start in either, so
 * the ratio shows what the concurrency alone buys. Runs alternate; prints one JSON line with
 * the medians.
 *
 * Usage: `node --import tsx bench/probes/client-dump.ts <emulator url> <runs>`
 */
import { ImdsClient } from '../../src/client/index.js';
import { median } from '../support/stats.js';

const [baseUrl = '', runsText = '10'] = process.argv.slice(2);
if (!baseUrl.startsWith('http://127.0.0.1:')) throw new Error('client-dump probe: loopback URLs only');
const runs = Number(runsText);
const client = new ImdsClient({ endpoint: baseUrl, env: {} });
await client.token();

const parallelMs: number[] = [];
const sequentialMs: number[] = [];
let expected: string | undefined;
for (let run = -2; run < runs; run++) {
  for (const concurrency of run % 2 === 0 ? [8, 1] : [1, 8]) {
    const start = performance.now();
    const tree = JSON.stringify(await client.dump({ concurrency }));
    const elapsed = performance.now() - start;
    expected ??= tree;
    if (tree.length !== expected.length)
      throw new Error('client-dump probe: the two walks read different trees');
    if (run >= 0) (concurrency === 1 ? sequentialMs : parallelMs).push(elapsed);
  }
}
process.stdout.write(
  `${JSON.stringify({ runs, parallelMs: median(parallelMs), sequentialMs: median(sequentialMs) })}\n`,
);
