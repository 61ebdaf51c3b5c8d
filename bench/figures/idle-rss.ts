/**
 * Figure 11: the resident memory of an idle `imds serve` (the shipped command, after its first token
 * PUT and half a second to settle) against the smallest Node server that answers the same way: a raw
 * `node:net` server started with `node -e`, measured the same way through /proc. Median of several
 * starts of each, interleaved. Target (issue 18): at most 1.2x. An info row measures the same with
 * `--attribution off`: caller attribution reads the host's socket table at the first lookup, whose
 * size depends on the host (the TIME_WAIT sockets other figures leave behind), not on the emulator.
 * Reading a table of tens of thousands of rows takes thousands of reads (the kernel hands out one
 * page per read), enough for V8 to optimize the loop: the optimizing compiler's code, pages of the
 * `node` binary shared with every process, then counts in RSS (ADR 0022). So a second info row
 * compares private memory (`RssAnon` + `RssShmem`), and the note gives the table's size.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { freeLoopbackPort, startExternalServer } from '../support/external-server.js';
import type { Figure } from '../support/figure.js';
import { ratioRow } from '../support/figure.js';
import { mib } from '../support/format.js';
import { imdsServeArgs } from '../support/paths.js';
import { median } from '../support/stats.js';

const SETTLE_MS = 500;
/** Answers anything with a 200 and a body, so the same readiness probe (a token PUT) works. */
const RAW_SERVER = `require('node:net').createServer((socket) => socket.end('HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\nok')).listen(Number(process.argv[1]), '127.0.0.1')`;

export const idleRss: Figure = {
  id: '11',
  title: 'idle RSS of imds serve',
  async run(context) {
    const ours: number[] = [];
    const unattributed: number[] = [];
    const raw: number[] = [];
    const oursPrivate: number[] = [];
    const rawPrivate: number[] = [];
    const tableRows: number[] = [];
    const starts = context.settings.quick ? 3 : 7;
    for (let run = 0; run < starts; run++) {
      const order = ['ours', 'unattributed', 'raw'] as const;
      for (const which of run % 2 === 0 ? order : [...order].reverse()) {
        const port = await freeLoopbackPort();
        const server = await startExternalServer({
          name: which === 'raw' ? 'raw node:net' : 'imds serve',
          command: process.execPath,
          args:
            which === 'raw'
              ? ['-e', RAW_SERVER, String(port)]
              : imdsServeArgs(
                  port,
                  '--log',
                  'quiet',
                  ...(which === 'unattributed' ? ['--attribution', 'off'] : []),
                ),
          url: `http://127.0.0.1:${port}`,
        });
        try {
          await delay(SETTLE_MS);
          ({ ours, unattributed, raw })[which].push(server.rssBytes());
          if (which === 'ours') {
            oursPrivate.push(server.privateRssBytes());
            tableRows.push(socketTableRows());
          }
          if (which === 'raw') rawPrivate.push(server.privateRssBytes());
        } finally {
          await server.stop();
        }
      }
    }
    /** One row: the median of `values` against the raw server's median of `baseline`. */
    const againstRaw = (measure: string, values: number[], baseline: number[], note: string) => ({
      figure: '11',
      measure,
      value: mib(median(values)),
      baseline: `raw node:net ${mib(median(baseline))}`,
      ratio: median(values) / median(baseline),
      note,
    });
    const rows = Math.round(median(tableRows)).toLocaleString('en-US');
    return {
      rows: [
        ratioRow({
          ...againstRaw(
            'idle RSS after the first answer',
            ours,
            raw,
            `medians of ${starts} starts each; the host's socket table: ${rows} rows`,
          ),
          target: { op: '<=', value: 1.2 },
        }),
        ratioRow(
          againstRaw(
            'idle private memory (RssAnon + RssShmem)',
            oursPrivate,
            rawPrivate,
            'RSS less the pages of mapped files (the node binary), which every node process shares',
          ),
        ),
        ratioRow(
          againstRaw(
            'idle RSS, --attribution off',
            unattributed,
            raw,
            'without caller attribution, which reads the host socket table at its first lookup (its size depends on the host)',
          ),
        ),
      ],
      details: { ours, unattributed, raw, oursPrivate, rawPrivate, tableRows },
    };
  },
};

/** Rows of `/proc/net/tcp` and `tcp6` (headers left out): what caller attribution reads. */
function socketTableRows(): number {
  let rows = 0;
  for (const table of ['tcp', 'tcp6']) {
    try {
      const text = readFileSync(`/proc/net/${table}`, 'latin1');
      rows += Math.max(0, text.split('\n').filter((line) => line.trim() !== '').length - 1);
    } catch {
      // No such table (no IPv6): no rows.
    }
  }
  return rows;
}
