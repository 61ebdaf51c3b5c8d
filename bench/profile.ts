/**
 * `npm run bench:profile [-- --seconds 10] [--connections 32]`: profiles the emulator (the bench's
 * `emulator` server child, `node --cpu-prof`) under figure 1's load, GET instance-id with a token,
 * and prints the 10 functions with the most self time while the load ran (the child's own start-up,
 * tsx's loader included, is left out). The profile is kept in bench/profiles/.
 * Loopback only; the run stops by itself.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { choosePinning } from './support/cpus.js';
import { ensureBuilt } from './support/build.js';
import { findLoadGenerator } from './support/find-load-generator.js';
import { perSecond } from './support/format.js';
import { fetchToken } from './support/http.js';
import { benchFile } from './support/paths.js';
import { readProfile, renderTop, topSelfTime } from './support/profile-top.js';
import { startServerProcess } from './support/server-process.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    load: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
if (!(seconds > 0 && seconds <= 120)) throw new Error('bench:profile: --seconds must be in 1..120');
if (!(Number.isInteger(connections) && connections >= 1 && connections <= 256))
  throw new Error('bench:profile: --connections must be an integer in 1..256');
const log = (message: string) => process.stderr.write(`${message}\n`);

await ensureBuilt(log);
const load = findLoadGenerator(values.load);
const pinning = choosePinning(true);
// Its own folder per run, so the one profile written is the one summarized.
const dir = join(benchFile('profiles'), `get-${connections}c-${Date.now()}`);
mkdirSync(dir, { recursive: true });
const server = await startServerProcess('emulator', {
  prefix: pinning.server,
  nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
});
const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);
let rate: number;
let window: { fromMicros: number; toMicros: number };
try {
  const token = await fetchToken(server.url);
  const fromMicros = monotonicMicros();
  const result = await load.run({
    url: `${server.url}/latest/meta-data/instance-id`,
    connections,
    durationSeconds: seconds,
    scenario: { kind: 'get', token },
    prefix: pinning.load,
  });
  if (result.errors.socket + result.errors.status > 0)
    throw new Error(`bench:profile: ${result.errors.socket + result.errors.status} failed requests`);
  window = { fromMicros, toMicros: monotonicMicros() };
  rate = result.requests / result.seconds;
} finally {
  await server.stop();
}
// CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: thread 0 is the main thread (tsx's loader runs
// in a worker, which writes its own profile).
const file = readdirSync(dir).find((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name));
if (file === undefined) throw new Error(`bench:profile: no profile written in ${dir}`);
const { rows, busyMicros } = topSelfTime(readProfile(join(dir, file)), 10, window);
process.stdout.write(
  `GET instance-id, ${connections} connections, ${seconds} s, ${load.name}, ${pinning.description}: ` +
    `${perSecond(rate)}; ${(busyMicros / 1000).toFixed(0)} ms busy in the profile (${join(dir, file)})\n\n` +
    `${renderTop(rows)}\n`,
);
