/**
 * Slowloris: a thousand connections that each send part of a head and then stall must not keep a
 * well-behaved client waiting, and must all be closed by the request timeout.
 */
import { execSync } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('slowloris', () => {
  const idleCount = idleSocketBudget();
  let listener: RunningListener;
  let idle: Idle[] = [];

  beforeAll(async () => {
    listener = await listen(
      localOptions({ limits: { requestTimeoutMs: REQUEST_TIMEOUT_MS, maxConnections: idleCount + 100 } }),
    );
  });
  afterAll(async () => {
    for (const { socket } of idle) socket.destroy();
    await listener.close();
  });

  it(`serves a well-behaved client within 100 ms while ${idleCount} connections stall`, async () => {
    expect(idleCount, 'ulimit -n is too low to run this test meaningfully').toBeGreaterThanOrEqual(200);
    const opened: Array<Promise<Idle>> = [];
    for (let index = 0; index < idleCount; index++) {
      opened.push(openIdle(listener.port, index));
      if (index % 100 === 99) await Promise.all(opened.slice(-100));
    }
    idle = await Promise.all(opened);
    await sleep(100); // let the front take in every partial head

    const result = await rawExchange(
      listener.port,
      'GET /latest/meta-data/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    );
    expect(parseResponse(result.bytes).status).toBe(200);
    expect(result.elapsedMs).toBeLessThan(100);
    expect(idle.every(({ socket, received }) => !socket.destroyed && received.length === 0)).toBe(true);
  });

  it('closes every stalled connection with a 408 once the request timeout has passed', async () => {
    const allClosed = Promise.all(idle.map(({ closed }) => closed));
    const deadline = sleep(REQUEST_TIMEOUT_MS + 1_500).then(() => 'deadline' as const);
    expect(await Promise.race([allClosed.then(() => 'closed' as const), deadline])).toBe('closed');
    const statuses = new Set(idle.map(({ received }) => parseResponse(Buffer.concat(received)).status));
    expect([...statuses]).toEqual([408]);
  });
});
