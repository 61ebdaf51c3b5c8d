/**
 * The emulator's socket front (src/server/listen.ts) serving a handler that returns one constant
 * response, the emulator's `instance-id` answer: the front's own cost, apart from the handler's.
 */
import { listen } from '../../src/server/listen.js';
import type { ImdsResponse, RequestHandler } from '../../src/server/exchange.js';
import { FIXED_BODY, FIXED_HEADERS } from './fixed-response.js';
import type { CountingServer } from './raw-net.js';

const RESPONSE: ImdsResponse = {
  status: 200,
  headers: FIXED_HEADERS,
  body: Buffer.from(FIXED_BODY, 'latin1'),
};

/**
 * Starts the front with the constant handler on loopback, port 0.
 * @example
 * ```ts
 * const front = await startFrontOnly();
 * ```
 */
export async function startFrontOnly(): Promise<CountingServer> {
  let answered = 0;
  const handler: RequestHandler = () => {
    answered++;
    return RESPONSE;
  };
  const listener = await listen({ host: '127.0.0.1', port: 0, handler, errorResponse: () => RESPONSE });
  return { port: listener.port, connections: () => answered, close: () => listener.close() };
}
