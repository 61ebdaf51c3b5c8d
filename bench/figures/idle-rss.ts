/**
 * Figure 11: the resident memory of an idle `imds serve` (the shipped command, after its first token
 * PUT and half a second to settle) against the smallest Node server that answers the same way: a raw
 * `node:net` server started with `node -e`, measured the same way through /proc. Median of several
 * starts of each, interleaved. Target (issue 18): at most 1.2x.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { freeLoopbackPort, startExternalServer } from '../support/external-server.js';
import type { Figure } from '../support/figure.js';
import { ratioRow } from '../support/figure.js';
import { mib } from '../support/format.js';
import { IMDS_BIN } from '../support/paths.js';
import { median } from '../support/stats.js';

const SETTLE_MS = 500;
/** Answers anything with a 200 and a body, so the same readiness probe (a token PUT) works. */
const RAW_SERVER = `require('node:net').createServer((socket) => socket.end('HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\nok')).listen(Number(process.argv[1]), '127.0.0.1')`;

export const idleRss: Figure = {
  id: '11',
  title: 'idle RSS of imds serve',
  async run(context) {
    const ours: number[] = [];
    const raw: number[] = [];
    const starts = context.settings.quick ? 3 : 7;
    for (let run = 0; run < starts; run++) {
      for (const which of run % 2 === 0 ? ['ours', 'raw'] : ['raw', 'ours']) {
        const port = await freeLoopbackPort();
        const server = await startExternalServer({
          name: which === 'ours' ? 'imds serve' : 'raw node:net',
          command: process.execPath,
          args:
            which === 'ours'
              ? [IMDS_BIN, 'serve', '--host', '127.0.0.1', '--port', String(port), '--log', 'quiet']
              : ['-e', RAW_SERVER, String(port)],
          url: `http://127.0.0.1:${port}`,
        });
        try {
          await delay(SETTLE_MS);
          (which === 'ours' ? ours : raw).push(server.rssBytes());
        } finally {
          await server.stop();
        }
      }
    }
    return {
      rows: [
        ratioRow({
          figure: '11',
          measure: 'idle RSS after the first answer',
          value: mib(median(ours)),
          baseline: `raw node:net ${mib(median(raw))}`,
          ratio: median(ours) / median(raw),
          target: { op: '<=', value: 1.2 },
          note: `medians of ${starts} starts each`,
        }),
      ],
      details: { ours, raw },
    };
  },
};
