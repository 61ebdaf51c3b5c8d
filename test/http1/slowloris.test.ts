/**
 * Slowloris: a thousand connections that each send part of a head and then stall must not keep a
 * well-behaved client from being answered, and must all be closed with a 408 by the request timeout.
 */
import { execSync } from 'node:child_process';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, type RunningListener } from '../../src/server/listen.js';
import { localOptions, parseResponse, rawExchange, sleep } from './helpers.js';

const WANTED_IDLE = 1_000;
const REQUEST_TIMEOUT_MS = 2_000;

/** Each idle socket costs two descriptors here (client and server side); keep well below the limit. */
function idleSocketBudget(): number {
  const limit = Number(execSync('ulimit -n', { shell: '/bin/sh' }).toString().trim());
  if (!Number.isFinite(limit)) return WANTED_IDLE; // "unlimited"
  return Math.max(0, Math.min(WANTED_IDLE, Math.floor((limit - 200) / 2)));
}

interface Idle {
  readonly socket: net.Socket;
  readonly received: Buffer[];
  readonly closed: Promise<void>;
}

function openIdle(port: number, index: number): Promise<Idle> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => {});
    socket.once('connect', () => {
      socket.write(`GET /slow/${index} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Never-Ends: `);
      resolve({ socket, received, closed });
    });
    socket.once('error', reject);
  });
}

/** Opens `count` stalled connections, a hundred at a time. */
async function openAll(port: number, count: number): Promise<Idle[]> {
  const opened: Array<Promise<Idle>> = [];
  for (let index = 0; index < count; index++) {
    opened.push(openIdle(port, index));
    if (index % 100 === 99) await Promise.all(opened.slice(-100));
  }
  return Promise.all(opened);
}

/**
 * Both tests assert answers and counts, never milliseconds: on a loaded 2-core machine opening a
 * thousand sockets can take longer than any tight bound (latency figures live in `npm run bench`).
 */
describe('slowloris', () => {
  const idleCount = idleSocketBudget();
  let listener: RunningListener | undefined;
  let idle: Idle[] = [];

  afterEach(async () => {
    for (const { socket } of idle) socket.destroy();
    idle = [];
    await listener?.close();
  });

  it(`answers a well-behaved client while ${idleCount} connections stall`, async () => {
    expect(idleCount, 'ulimit -n is too low to run this test meaningfully').toBeGreaterThanOrEqual(200);
    // A timeout far beyond the test, so every stall is still in place however slow the machine is.
    listener = await listen(
      localOptions({ limits: { requestTimeoutMs: 600_000, maxConnections: idleCount + 100 } }),
    );
    idle = await openAll(listener.port, idleCount);
    await sleep(100); // let the front take in every partial head

    const result = await rawExchange(
      listener.port,
      'GET /latest/meta-data/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    );
    expect(parseResponse(result.bytes).status).toBe(200);
    expect(idle.filter(({ socket, received }) => socket.destroyed || received.length > 0)).toHaveLength(0);
  });

  it('closes every stalled connection with a 408, and only once the request timeout has passed', async () => {
    listener = await listen(
      localOptions({ limits: { requestTimeoutMs: REQUEST_TIMEOUT_MS, maxConnections: idleCount + 100 } }),
    );
    const started = performance.now();
    idle = await openAll(listener.port, idleCount);
    // A hang guard only, far above the timeout; the test asserts the answers.
    const guard = sleep(60_000).then(() => 'hang' as const);
    const allClosed = Promise.all(idle.map(({ closed }) => closed)).then(() => 'closed' as const);
    expect(await Promise.race([allClosed, guard])).toBe('closed');
    // Never early: a lower bound on time holds however loaded the machine is.
    expect(performance.now() - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
    const statuses = idle.map(({ received }) => parseResponse(Buffer.concat(received)).status);
    expect(statuses.filter((status) => status !== 408)).toEqual([]);
    expect(statuses).toHaveLength(idleCount);
  }, 90_000);
});
