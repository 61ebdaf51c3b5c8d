/**
 * Local peers for the client's failure tests, all on 127.0.0.1 with a free port: an emulator
 * behind an arbitrary handler, a port with nothing listening, a peer that accepts and never
 * answers, and one that drips its response a byte at a time.
 */
import net from 'node:net';
import { Emulator, type EmulatorOptions } from '../../../src/server/emulator.js';
import type { HandlerOutcome, ImdsRequest, ImdsResponse } from '../../../src/server/exchange.js';
import { listen, type RunningListener } from '../../../src/server/listen.js';
import { pageResponse } from '../../../src/server/responses.js';
import { startEmulator, type RunningEmulator, type StartOptions } from '../../../src/start/start.js';
import { ImdsClient, type ImdsClientOptions } from '../../../src/client/client.js';
import { guardedTransport, type GuardedTransport } from './network-guard.js';

const DATE = 'Tue, 27 Feb 2024 13:06:06 GMT';

/** An emulator on loopback; its token PUTs are counted from its request log. */
export async function emulatorOn(options: StartOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ host: '127.0.0.1', port: 0, ...options });
}

/** How many token PUTs the emulator has answered. */
export function tokenPuts(running: { emulator: Emulator }): number {
  return running.emulator.requests.entries().filter((entry) => entry.method === 'PUT').length;
}

/** How many requests of each method the emulator has answered. */
export function methods(running: { emulator: Emulator }): string[] {
  return running.emulator.requests.entries().map((entry) => `${entry.method} ${entry.status}`);
}

/**
 * An emulator whose answers pass through `intercept` first: return an outcome to replace the
 * emulator's, or undefined to let it answer.
 */
export async function interceptedEmulator(
  intercept: (request: ImdsRequest, emulator: Emulator) => HandlerOutcome | undefined,
  options: EmulatorOptions = {},
): Promise<RunningListener & { emulator: Emulator }> {
  const emulator = new Emulator(options);
  const listener = await listen({
    host: '127.0.0.1',
    port: 0,
    handler: (request) => intercept(request, emulator) ?? emulator.handle(request),
    errorResponse: (status) => pageResponse(status, { date: DATE, head: false }),
  });
  return Object.assign(listener, { emulator });
}

/** The service's XHTML page for `status`. */
export function page(status: number): ImdsResponse {
  return pageResponse(status, { date: DATE, head: false });
}

/** A 200 with the given body. */
export function ok(body: string | Uint8Array): ImdsResponse {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    status: 200,
    headers: [
      ['Content-Type', 'text/plain'],
      ['Content-Length', String(bytes.length)],
      ['Connection', 'close'],
    ],
    body: bytes,
  };
}

/** A loopback port with nothing listening (bound, then released). */
export async function closedPort(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A raw TCP peer; `onConnection` decides what (if anything) it writes. */
export async function rawPeer(
  onConnection: (socket: net.Socket) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Accepts every connection, reads, and never answers. */
export function silentPeer() {
  return rawPeer((socket) => socket.resume());
}

/** Answers with a status line and headers at once, then one body byte every `intervalMs`. */
export function drippingPeer(intervalMs: number) {
  return rawPeer((socket) => {
    socket.once('data', () => {
      socket.write(
        'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n',
      );
      const timer = setInterval(() => socket.write('x'), intervalMs);
      socket.on('close', () => clearInterval(timer));
    });
  });
}

/** A client for a loopback URL, isolated from the machine's `AWS_*` variables, with a guarded transport. */
export function clientFor(
  url: string,
  options: ImdsClientOptions = {},
): ImdsClient & { transport: GuardedTransport } {
  const transport = guardedTransport(options.transport);
  const client = new ImdsClient({ env: {}, ...options, endpoint: url, transport });
  return Object.assign(client, { transport });
}
