/**
 * A bench server in its own process (so neither the load generator nor the bench's own event
 * loop shares its thread), driven over IPC: it says `ready` with its port, answers `stats`, and
 * exits on `stop` or when the parent goes away.
 *
 * Usage: `node --expose-gc --import tsx bench/servers/child.ts <kind>`
 */
import { setTimeout as delay } from 'node:timers/promises';
import v8 from 'node:v8';
import { Attributor } from '../../src/audit/attributor.js';
import { startProxy } from '../../src/proxy/proxy.js';
import { startEmulator } from '../../src/start/start.js';
import { startBareHttpServer } from './bare-http.js';
import { startEmulatorOnNodeHttp } from './emulator-node-http.js';
import { startFleetServer } from './fleet.js';
import { isServerKind, type FromServer, type ServerKind, type ToServer } from './kinds.js';
import { startFrontOnly } from './front-only.js';
import { startRawNetServer, type CountingServer } from './raw-net.js';

const SETTLE_MS = 500;
/** The large fleet of the fleet figure. */
const FLEET_LARGE = 10_000;

const kind = process.argv[2];
if (!isServerKind(kind)) throw new Error(`bench server: unknown kind '${String(kind)}'`);
const server = await start(kind);
const send = (message: FromServer) => process.send?.(message);

process.on('message', async (message: ToServer) => {
  if (message.type === 'stats') {
    const cpu = process.cpuUsage();
    if (message.collectGarbage) await collectGarbage();
    const memory = process.memoryUsage();
    const heapSpaces = Object.fromEntries(
      v8.getHeapSpaceStatistics().map((space) => [space.space_name, space.physical_space_size]),
    );
    send({
      type: 'stats',
      stats: {
        connections: server.connections(),
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        heapSpaces,
        externalBytes: memory.external,
        cpuMicros: cpu.user + cpu.system,
      },
    });
  } else {
    void server.close().then(() => process.exit(0));
  }
});
// The parent died or closed the channel: do not linger as an orphan holding a core.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', port: server.port });

/**
 * Two full collections half a second apart: V8 returns freed old-space pages to the system lazily, so
 * RSS read right after one collection depends on when the last one before it happened.
 */
async function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return;
  gc();
  await delay(SETTLE_MS);
  gc();
}

async function start(which: ServerKind): Promise<CountingServer> {
  switch (which) {
    case 'emulator': {
      const running = await startEmulator({ host: '127.0.0.1', port: 0, httpTokens: 'required' });
      return {
        port: running.port,
        connections: () => running.emulator.requests.total,
        close: () => running.close(),
      };
    }
    case 'emulator-attributed': {
      const attribution = new Attributor();
      const running = await startEmulator({
        host: '127.0.0.1',
        port: 0,
        httpTokens: 'required',
        attribution,
      });
      return {
        port: running.port,
        connections: () => running.emulator.requests.total,
        close: async () => {
          await running.close();
          attribution.close();
        },
      };
    }
    case 'proxy': {
      const upstream = process.env.IMDS_BENCH_UPSTREAM;
      if (!upstream) throw new Error('bench server proxy: IMDS_BENCH_UPSTREAM is not set');
      const running = await startProxy({ upstream, host: '127.0.0.1', port: 0 });
      return { port: running.port, connections: () => running.requests.total, close: () => running.close() };
    }
    case 'emulator-node-http':
      return startEmulatorOnNodeHttp();
    case 'front-only':
      return startFrontOnly();
    case 'node-http':
      return startBareHttpServer();
    case 'raw-net':
      return startRawNetServer('write-destroy');
    case 'raw-net-end':
      return startRawNetServer('end');
    case 'fleet-1':
      return startFleetServer(1);
    case 'fleet-10k':
      return startFleetServer(FLEET_LARGE);
  }
}
