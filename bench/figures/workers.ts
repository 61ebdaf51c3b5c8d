/**
 * Figure 9: does the emulator gain from more processes on this machine? The shipped single process
 * (`imds serve`) against the same emulator on 1 and on 2 `node:cluster` workers, IMDSv1 GETs of
 * instance-id (see bench/servers/workers.ts for why no token), a new connection per request, at 1 and
 * 32 connections, interleaved rounds, nothing pinned (the workers need every core; so does wrk). The
 * ratio is the workers' rate over the single process's, the median of per-round ratios. ADR 0016
 * records the decision taken from it.
 */
import { freeLoopbackPort, startExternalServer, type ExternalServer } from '../support/external-server.js';
import type { Figure, FigureRow } from '../support/figure.js';
import { ratioRow } from '../support/figure.js';
import { perSecond } from '../support/format.js';
import { benchFile, imdsServeArgs } from '../support/paths.js';
import { median } from '../support/stats.js';

const CONCURRENCIES = [1, 32] as const;

export const workers: Figure = {
  id: '9',
  title: 'one process against node:cluster workers',
  async run(context) {
    const servers: ExternalServer[] = [];
    try {
      const single = await start('single', (port) => imdsServeArgs(port, '--http-tokens', 'optional'));
      servers.push(single);
      for (const count of [1, 2]) {
        servers.push(
          await start(`${count} worker${count === 1 ? '' : 's'}`, (port) => [
            '--import',
            'tsx',
            benchFile('servers/workers.ts'),
            String(count),
            String(port),
          ]),
        );
      }
      const rates = new Map<string, number[]>();
      const { rounds, seconds } = context.settings.throughput;
      for (let round = 0; round < rounds; round++) {
        for (const connections of CONCURRENCIES) {
          for (let offset = 0; offset < servers.length; offset++) {
            const server = servers[(round + offset) % servers.length] as ExternalServer;
            const result = await context.load.run({
              url: `${server.url}/latest/meta-data/instance-id`,
              connections,
              durationSeconds: seconds,
              scenario: { kind: 'get', token: '' },
              prefix: [],
            });
            const key = `${server.name}@${connections}`;
            rates.set(key, [...(rates.get(key) ?? []), result.requests / result.seconds]);
          }
        }
        context.log(`  round ${round + 1}/${rounds} done`);
      }
      const rows: FigureRow[] = [];
      for (const connections of CONCURRENCIES) {
        const base = rates.get(`single@${connections}`) ?? [];
        for (const server of servers.slice(1)) {
          const theirs = rates.get(`${server.name}@${connections}`) ?? [];
          rows.push(
            ratioRow({
              figure: '9',
              measure: `v1 GET, ${connections} conn: ${server.name} (node:cluster)`,
              value: perSecond(median(theirs)),
              baseline: `one process ${perSecond(median(base))}`,
              ratio: median(theirs.map((rate, index) => rate / (base[index] as number))),
              note: 'nothing pinned; no target: ADR 0016 decides from it',
            }),
          );
        }
      }
      return { rows, details: Object.fromEntries(rates) };
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  },
};

async function start(name: string, args: (port: number) => string[]): Promise<ExternalServer> {
  const port = await freeLoopbackPort();
  return startExternalServer({
    name,
    command: process.execPath,
    args: args(port),
    url: `http://127.0.0.1:${port}`,
  });
}
