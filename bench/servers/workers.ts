/**
 * The emulator on N worker processes sharing one listening port through `node:cluster` (the primary
 * accepts and hands connections out round-robin, Node's default on Linux), for figure 9. The workers
 * serve `--http-tokens optional` and the figure reads without a token: N workers would each have their
 * own token secret, and sharing one is what building the mode would take, not what measuring it needs.
 *
 * Usage: `node --import tsx bench/servers/workers.ts <workers> <port>` (127.0.0.1 only).
 */
import cluster from 'node:cluster';
import { startEmulator } from '../../src/start/start.js';

const workers = Number(process.argv[2]);
const port = Number(process.argv[3]);
if (!(workers >= 1 && workers <= 8) || !(port > 0)) throw new Error('usage: workers.ts <1..8> <port>');

if (cluster.isPrimary) {
  for (let index = 0; index < workers; index++) cluster.fork();
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // A worker that dies takes the measurement with it: end the whole server so the figure sees it.
  cluster.on('exit', () => stop());
} else {
  const running = await startEmulator({ host: '127.0.0.1', port, httpTokens: 'optional' });
  process.on('SIGTERM', () => void running.close().then(() => process.exit(0)));
}
