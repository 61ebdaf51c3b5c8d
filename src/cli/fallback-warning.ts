/**
 * The CLI's IMDSv1 fallback warning. A refused token request (403/404/405) is a fact worth saying
 * at once. A token request that timed out is only a hint of the hop limit (a container behind
 * `HttpPutResponseHopLimit` 1 loses the token response but reads without a token fine): the hint
 * is given once a read without a token has been answered, never for an endpoint that is silent
 * to everything, where it would send the user after the wrong cause.
 */
import type { CommandIo } from './io.js';
import { describeFallback, type V1Fallback } from '../client/fallback.js';
import { socketTransport } from '../client/socket-transport.js';
import type { Transport } from '../client/transport.js';
import { TOKEN_HEADER } from '../wire.js';

/** What `clientFromFlags` wires into the client: the fallback listener and a transport that sees answers. */
export interface FallbackWarning {
  readonly onV1Fallback: (fallback: V1Fallback) => void;
  readonly transport: Transport;
}

/**
 * Builds the listener and transport pair: warnings go to `io.stderr`, at most once per client.
 * @example
 * ```ts
 * const warning = fallbackWarning(io);
 * new ImdsClient({ ...options, onV1Fallback: warning.onV1Fallback, transport: warning.transport });
 * ```
 */
export function fallbackWarning(io: CommandIo, inner: Transport = socketTransport): FallbackWarning {
  let warned = false;
  let pending: V1Fallback | undefined;
  const warn = (fallback: V1Fallback) => {
    if (warned) return;
    warned = true;
    io.stderr(`imds: warning: reading without a session token (IMDSv1): ${describeFallback(fallback)}\n`);
  };
  return {
    onV1Fallback: (fallback) => {
      if (fallback.reason === 'timeout') pending = fallback;
      else warn(fallback);
    },
    transport: async (request) => {
      const response = await inner(request);
      // A GET answered without a token after the token request timed out: now the hint is earned.
      if (pending && request.method === 'GET' && response.status < 500 && !hasToken(request.headers)) {
        const fallback = pending;
        pending = undefined;
        warn(fallback);
      }
      return response;
    },
  };
}

function hasToken(headers: Readonly<Record<string, string>>): boolean {
  return Object.keys(headers).some((name) => name.toLowerCase() === TOKEN_HEADER);
}
