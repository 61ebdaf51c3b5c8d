/**
 * Shared pieces of the socket-front tests: a raw TCP client that records exactly what came back
 * and how the connection ended, a response parser, an echoing handler and an error-response builder.
 */
import net from 'node:net';
import type { ImdsRequest, ImdsResponse, RequestHandler } from '../../src/server/exchange.js';
import type { ListenOptions } from '../../src/server/listen.js';
import { splitResponse, type SplitResponse } from '../helpers/http1-response.js';

/** How a raw exchange ended, from the client's side. */
export type Ending = 'closed' | 'reset' | 'timeout';

export interface RawResult {
  /** Every byte the server sent. */
  readonly bytes: Buffer;
  readonly ending: Ending;
  /** Milliseconds from connect to the end of the exchange. */
  readonly elapsedMs: number;
}

export interface RawOptions {
  /** Give up (and destroy the socket) after this long. Default 2000 ms. */
  readonly timeoutMs?: number;
  /** Half-close (send FIN) after writing everything. Default false. */
  readonly endAfterWrite?: boolean;
  /** Wait this long between pieces. Default 0 (pieces written back to back). */
  readonly gapMs?: number;
}

/** Connects to 127.0.0.1:port, writes `pieces`, and collects the reply until the server closes. */
export function rawExchange(
  port: number,
  pieces: string | Buffer | ReadonlyArray<string | Buffer>,
  options: RawOptions = {},
): Promise<RawResult> {
  const list = typeof pieces === 'string' || Buffer.isBuffer(pieces) ? [pieces] : pieces;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const started = performance.now();
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    let ending: Ending = 'closed';
    const socket = net.connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      ending = 'timeout';
      socket.destroy();
    }, timeoutMs);
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (ending !== 'timeout') ending = error.code === 'ECONNRESET' ? 'reset' : 'closed';
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(received), ending, elapsedMs: performance.now() - started });
    });
    socket.on('connect', async () => {
      for (const [index, piece] of list.entries()) {
        if (index > 0 && options.gapMs) await sleep(options.gapMs);
        if (socket.destroyed) return;
        socket.write(piece);
      }
      if (options.endAfterWrite) socket.end();
    });
  });
}

/** A response split into its parts, headers in wire order with their spelling kept. */
export type ParsedResponse = SplitResponse;

/** Splits the first response in `bytes`; throws if there is none. */
export function parseResponse(bytes: Buffer): ParsedResponse {
  const split = splitResponse(bytes);
  if ('problem' in split) throw new Error(split.problem);
  return split;
}

/** What {@link echoHandler} writes back: the request exactly as the handler saw it. */
export interface Echo {
  readonly method: string;
  readonly target: string;
  readonly headers: Array<[string, string[]]>;
  readonly remoteAddress: string;
}

/** A handler that answers 200 with the request it received as JSON; records each request. */
export function echoHandler(seen: ImdsRequest[] = []): RequestHandler {
  return (request) => {
    seen.push(request);
    const echo: Echo = {
      method: request.method,
      target: request.target,
      headers: [...request.headers].map(([name, values]) => [name, [...values]]),
      remoteAddress: request.remoteAddress,
    };
    const body = Buffer.from(JSON.stringify(echo));
    return {
      status: 200,
      headers: [
        ['Content-Type', 'application/json'],
        ['Content-Length', String(body.length)],
        ['Connection', 'close'],
      ],
      body,
    };
  };
}

/** The error response the tests give the front: empty body, the status echoed in a header. */
export function errorResponse(status: number): ImdsResponse {
  return {
    status,
    headers: [
      ['Content-Length', '0'],
      ['X-Front-Error', String(status)],
      ['Connection', 'close'],
    ],
    body: new Uint8Array(0),
  };
}

/** Listen options on 127.0.0.1, a free port, the echo handler and the test error response. */
export function localOptions(overrides: Partial<ListenOptions> = {}): ListenOptions {
  return { host: '127.0.0.1', port: 0, handler: echoHandler(), errorResponse, ...overrides };
}

/** The status of the one response in `result`, or undefined when the server sent nothing. */
export function statusOf(result: RawResult): number | undefined {
  return result.bytes.length === 0 ? undefined : parseResponse(result.bytes).status;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The same seeded PRNG the fault scenarios use, so fuzz failures replay exactly. */
export { seededRandom } from '../../src/scenarios/faults/seeded-random.js';
