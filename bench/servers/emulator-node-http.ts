/**
 * The emulator served through `node:http` instead of its own front: the same {@link Emulator} and
 * pure handler, with `node:http` parsing the request and writing the handler's response
 * (`writeHead` with the flat header array, `sendDate = false`, the reason phrases). ADR 0001
 * weighs this against the socket front. What `node:http` cannot write is user data's `HTTP/1.0`
 * status line; everything else the handler decides is sent as given.
 */
import http from 'node:http';
import { Emulator } from '../../src/server/emulator.js';
import type { ImdsRequest } from '../../src/server/exchange.js';
import { isNoResponse } from '../../src/server/exchange.js';
import { listenCounting, type CountingServer } from './raw-net.js';

/**
 * Starts the emulator behind `node:http` on loopback, port 0.
 * @example
 * ```ts
 * const server = await startEmulatorOnNodeHttp();
 * ```
 */
export async function startEmulatorOnNodeHttp(): Promise<CountingServer> {
  const emulator = new Emulator({ httpTokens: 'required' });
  const server = http.createServer((request, response) => {
    const headers = new Map<string, string[]>();
    const raw = request.rawHeaders;
    for (let index = 0; index < raw.length; index += 2) {
      const name = (raw[index] as string).toLowerCase();
      const values = headers.get(name);
      if (values) values.push(raw[index + 1] as string);
      else headers.set(name, [raw[index + 1] as string]);
    }
    const imdsRequest: ImdsRequest = {
      method: request.method ?? 'GET',
      target: request.url ?? '/',
      headers,
      remoteAddress: request.socket.remoteAddress ?? '',
    };
    const outcome = emulator.handle(imdsRequest);
    if (isNoResponse(outcome)) {
      if (outcome.noResponse === 'reset') request.socket.resetAndDestroy();
      return;
    }
    response.sendDate = false;
    const flat: string[] = [];
    for (const [name, value] of outcome.headers) flat.push(name, value);
    if (outcome.reason === undefined) response.writeHead(outcome.status, flat);
    else response.writeHead(outcome.status, outcome.reason, flat);
    response.end(outcome.body);
  });
  return listenCounting(server, () => emulator.requests.total);
}
