/**
 * Talking to an emulator over a loopback socket the way a client on some address would: each
 * request can come from its own loopback source address (127.0.0.2, 127.0.0.3...), which is how
 * per-client faults are observed. Nothing here reaches beyond 127.0.0.0/8.
 */
import http from 'node:http';
import { ManualClock } from '../../src/clock.js';
import { Emulator, type EmulatorOptions } from '../../src/server/emulator.js';
import { startEmulator, type RunningEmulator } from '../../src/start/start.js';

/** A moment well after the seed instance's launch. */
export const T0 = Date.UTC(2024, 2, 1, 9, 0, 0);

export interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** What happened when nothing came back. */
export class NoReply extends Error {
  override readonly name = 'NoReply';
  constructor(
    readonly kind: 'timeout' | 'reset',
    detail: string,
  ) {
    super(`${kind}: ${detail}`);
  }
}

export interface Call {
  method?: string;
  headers?: Record<string, string>;
  /** The loopback source address to send from. */
  from?: string;
  /** Give up after this many real milliseconds (a silent server never answers). */
  timeoutMs?: number;
}

export function request(base: string, path: string, call: Call = {}): Promise<Reply> {
  const url = new URL(path, base);
  if (url.hostname !== '127.0.0.1') throw new Error(`tests talk to 127.0.0.1 only, not ${url.hostname}`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: call.method ?? 'GET',
        headers: call.headers,
        agent: false,
        ...(call.from ? { localAddress: call.from } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
        res.on('error', (error) => reject(new NoReply('reset', error.message)));
      },
    );
    req.setTimeout(call.timeoutMs ?? 5_000, () => {
      req.destroy();
      reject(new NoReply('timeout', `no response within ${call.timeoutMs ?? 5_000} ms`));
    });
    req.on('error', (error) =>
      reject(
        error instanceof NoReply
          ? error
          : new NoReply('reset', (error as NodeJS.ErrnoException).code ?? error.message),
      ),
    );
    req.end();
  });
}

/** An emulator on 127.0.0.1 port 0 with a manual clock, and a small IMDSv2 client for it. */
export async function serveOnLoopback(options: EmulatorOptions = {}) {
  const clock = new ManualClock(T0);
  const emulator = new Emulator({ clock, seed: 1, ...options });
  const running: RunningEmulator = await startEmulator({ emulator, host: '127.0.0.1', port: 0 });
  const token = async (from?: string) => {
    const reply = await request(running.url, '/latest/api/token', {
      method: 'PUT',
      headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '21600' },
      ...(from ? { from } : {}),
    });
    if (reply.status !== 200) throw new Error(`token PUT answered ${reply.status}`);
    return reply.body;
  };
  /** GET with a fresh token (IMDSv2). */
  const get = async (path: string, call: Call = {}) => {
    const fresh = await token(call.from);
    return request(running.url, path, {
      ...call,
      headers: { ...call.headers, 'X-aws-ec2-metadata-token': fresh },
    });
  };
  /** GET without a token (IMDSv1). */
  const getV1 = (path: string, call: Call = {}) => request(running.url, path, call);
  return { emulator, clock, url: running.url, close: () => running.close(), token, get, getV1 };
}

export type Served = Awaited<ReturnType<typeof serveOnLoopback>>;
