/**
 * Figure 5's measurement, in its own process: a warm `client.get('instance-id')` (the client's
 * token cached) against one raw `http.get` of the same URL with the same token header, the way a
 * user would write it. Calls alternate one by one, after a warm-up of both; each call is timed on
 * its own and the medians are compared. Prints one JSON line.
 *
 * Usage: `node --import tsx bench/probes/client-get.ts <emulator url> <calls>`
 */
import http from 'node:http';
import { ImdsClient } from '../../src/client/index.js';
import { TOKEN_HEADER } from '../../src/wire.js';
import { median, quantile } from '../support/stats.js';

const [baseUrl = '', callsText = '1000'] = process.argv.slice(2);
if (!baseUrl.startsWith('http://127.0.0.1:')) throw new Error('client-get probe: loopback URLs only');
const calls = Number(callsText);
const url = `${baseUrl}/latest/meta-data/instance-id`;

const client = new ImdsClient({ endpoint: baseUrl, env: {} });
const token = await client.token();

function rawGet(): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { [TOKEN_HEADER]: token } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          response.statusCode === 200
            ? resolve(Buffer.concat(chunks).toString('utf8'))
            : reject(new Error(`raw GET: ${response.statusCode}`)),
        );
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

const expected = await rawGet();
const clientTimes: number[] = [];
const rawTimes: number[] = [];
const warmup = Math.min(500, calls);
for (let index = 0; index < warmup + calls; index++) {
  const order: Array<'client' | 'raw'> = index % 2 === 0 ? ['client', 'raw'] : ['raw', 'client'];
  for (const which of order) {
    const start = performance.now();
    const value = which === 'client' ? await client.get('instance-id') : await rawGet();
    const elapsed = performance.now() - start;
    if (value !== expected) throw new Error(`client-get probe: ${which} read ${JSON.stringify(value)}`);
    if (index >= warmup) (which === 'client' ? clientTimes : rawTimes).push(elapsed * 1000);
  }
}

const summary = (values: number[]) => ({
  medianUs: median(values),
  p25Us: quantile(values, 0.25),
  p75Us: quantile(values, 0.75),
  p99Us: quantile(values, 0.99),
});
process.stdout.write(`${JSON.stringify({ calls, client: summary(clientTimes), raw: summary(rawTimes) })}\n`);
