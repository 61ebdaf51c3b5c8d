/**
 * The fallback load generator, for machines without wrk: `connections` loops, each opening a
 * connection, writing one request, reading until the server closes, and starting over, for
 * `durationSeconds`. Prints the same `BENCH_JSON` line as the wrk scripts. It runs in its own process (spawned by bench/support/node-load.ts), with no npm
 * dependency. Slower than wrk per request, so on a fast server it can be the bottleneck; the
 * table names the generator used.
 *
 * Usage: `node --import tsx bench/load/node-load-child.ts '<LoadOptions as JSON>'`
 */
import net from 'node:net';
import type { LoadOptions } from '../support/load.js';
import type { LoadReport } from '../support/load-report.js';
import { REPORT_MARKER } from '../support/load-report.js';
import { quantile } from '../support/stats.js';
import { TOKEN_HEADER, TOKEN_PATH, TOKEN_TTL_HEADER } from '../../src/wire.js';

const options = JSON.parse(process.argv[2] ?? '{}') as Omit<LoadOptions, 'prefix'>;
const target = new URL(options.url);
if (target.hostname !== '127.0.0.1') throw new Error('node-load: loopback only');
const port = Number(target.port);
const host = `${target.hostname}:${port}`;
const scenario = options.scenario;
const getPath = scenario.kind === 'get' ? target.pathname : '/latest/meta-data/instance-id';

// `connectionClose` (figure 8): ask a server that keeps connections open (the Go peer) to close.
const close = options.connectionClose === true ? 'Connection: close\r\n' : '';
const requestBytes = (method: string, path: string, headers: string) =>
  Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: ${host}\r\n${close}${headers}\r\n`, 'latin1');
// A GET here answers an instance id; any other 200 body is a PUT's token, whatever its length
// (this emulator's are 56 characters, the Go peer's 44).
const INSTANCE_ID = /^i-[0-9a-f]+$/;
const putRequest = requestBytes('PUT', TOKEN_PATH, `${TOKEN_TTL_HEADER}: 21600\r\n`);
// An empty token means an IMDSv1 read: no token header at all, as wrk's get.lua does.
const getRequest = (token: string) =>
  requestBytes('GET', getPath, token === '' ? '' : `${TOKEN_HEADER}: ${token}\r\n`);
const fixedGet = scenario.kind === 'get' ? getRequest(scenario.token) : undefined;

const counters = { ok_puts: 0, ok_gets: 0, bad: 0 };
const errors = { connect: 0, read: 0, write: 0, status: 0, timeout: 0 };
const latenciesUs: number[] = [];
const tokens: string[] = [];
const started = process.hrtime.bigint();
const deadline = started + BigInt(Math.round(options.durationSeconds * 1e9));

function nextRequest(): Buffer {
  if (fixedGet) return fixedGet;
  if (scenario.kind === 'pairs') {
    const token = tokens.pop();
    if (token !== undefined) return getRequest(token);
  }
  return putRequest;
}

function loop(): void {
  if (process.hrtime.bigint() >= deadline) return finishLoop();
  const bytes = nextRequest();
  const chunks: Buffer[] = [];
  let sentAt = 0n;
  let failed = false;
  const socket = net.connect({ host: '127.0.0.1', port }, () => {
    sentAt = process.hrtime.bigint();
    socket.write(bytes);
  });
  socket.setTimeout(2_000, () => {
    failed = true;
    errors.timeout++;
    socket.destroy();
  });
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {
    if (failed) return;
    failed = true;
    if (sentAt === 0n) errors.connect++;
    else errors.read++;
  });
  socket.on('close', () => {
    if (!failed) record(Buffer.concat(chunks).toString('latin1'), sentAt);
    setImmediate(loop);
  });
}

function record(response: string, sentAt: bigint): void {
  latenciesUs.push(Number(process.hrtime.bigint() - sentAt) / 1000);
  const status = Number(response.slice(9, 12));
  const body = response.slice(response.indexOf('\r\n\r\n') + 4);
  if (status >= 400) errors.status++;
  if (status !== 200) counters.bad++;
  else if (scenario.kind !== 'get' && !INSTANCE_ID.test(body)) {
    counters.ok_puts++;
    if (scenario.kind === 'pairs') tokens.push(body);
  } else counters.ok_gets++;
}

let running = options.connections;
function finishLoop(): void {
  if (--running > 0) return;
  const durationUs = Number(process.hrtime.bigint() - started) / 1000;
  const mean = latenciesUs.reduce((sum, value) => sum + value, 0) / Math.max(1, latenciesUs.length);
  const report: LoadReport = {
    requests: latenciesUs.length,
    durationUs,
    errors,
    latencyUs: {
      p50: quantile(latenciesUs, 0.5),
      p90: quantile(latenciesUs, 0.9),
      p99: quantile(latenciesUs, 0.99),
      mean,
      max: latenciesUs.reduce((max, value) => Math.max(max, value), 0),
    },
    counters,
  };
  process.stdout.write(`${REPORT_MARKER}${JSON.stringify(report)}\n`);
}

for (let index = 0; index < options.connections; index++) loop();
