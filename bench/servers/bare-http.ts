/**
 * The bare `node:http` baseline: every request gets the emulator's `instance-id` response (same
 * headers, same body) with `Connection: close`, and nothing else is checked.
 */
import http from 'node:http';
import { FIXED_BODY, FIXED_HEADERS } from './fixed-response.js';
import { listenCounting, type CountingServer } from './raw-net.js';

// node:http writes Date and Connection itself; giving them again would send them twice.
const HEADERS = FIXED_HEADERS.filter(([name]) => name !== 'Date' && name !== 'Connection').flat();

/**
 * Starts the `node:http` baseline on loopback, port 0.
 * @example
 * ```ts
 * const bare = await startBareHttpServer();
 * ```
 */
export async function startBareHttpServer(): Promise<CountingServer> {
  let accepted = 0;
  const server = http.createServer((_request, response) => {
    response.shouldKeepAlive = false;
    response.writeHead(200, HEADERS);
    response.end(FIXED_BODY);
  });
  server.on('connection', () => accepted++);
  return listenCounting(server, () => accepted);
}
