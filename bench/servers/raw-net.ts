/**
 * The raw `node:net` baseline: on the first bytes of a connection, write one fixed response and
 * close. It parses nothing, so it is the most one Node process can answer per second; the
 * emulator's target is a fraction of it.
 */
import net from 'node:net';
import { FIXED_RESPONSE } from './fixed-response.js';

/**
 * How the baseline closes after its write.
 * - `write-destroy`: write, then close the socket at once when the kernel took the whole write
 *   (the emulator's front does the same for a well-behaved client): the fastest way Node has.
 * - `end`: `socket.end(response)`, the textbook way; it waits for the client's FIN before freeing
 *   the socket, so it is slower.
 */
export type RawCloseStyle = 'write-destroy' | 'end';

/** A listening baseline server and the number of connections it has accepted. */
export interface CountingServer {
  readonly port: number;
  connections(): number;
  close(): Promise<void>;
}

/**
 * Starts the raw baseline on loopback, port 0.
 * @example
 * ```ts
 * const raw = await startRawNetServer('write-destroy');
 * ```
 */
export async function startRawNetServer(style: RawCloseStyle, port = 0): Promise<CountingServer> {
  let accepted = 0;
  const onData = style === 'end' ? endOnData : writeDestroyOnData;
  const server = net.createServer((socket) => {
    accepted++;
    socket.once('data', onData);
    socket.on('error', ignore);
  });
  return listenCounting(server, () => accepted, port);
}

function writeDestroyOnData(this: net.Socket): void {
  this.write(FIXED_RESPONSE);
  if (this.writableLength === 0) this.destroy();
  else this.end();
}

function endOnData(this: net.Socket): void {
  this.end(FIXED_RESPONSE);
}

function ignore(): void {}

/** Binds 127.0.0.1:`port` (any free port by default) and wraps the server as a {@link CountingServer}. */
export function listenCounting(
  server: net.Server,
  connections: () => number,
  port = 0,
): Promise<CountingServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => {
      const bound = (server.address() as net.AddressInfo).port;
      resolve({
        port: bound,
        connections,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
