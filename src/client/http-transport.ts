/**
 * The default {@link Transport}: one `node:http` request per exchange on a fresh connection
 * (`agent: false`), since the service closes every connection after one response anyway.
 *
 * Two clocks bound an exchange: `connectTimeoutMs` until the TCP connection is open (off EC2 the
 * link-local address often swallows the SYN; this fails that fast), and `timeoutMs` for the whole
 * exchange. The second one is a total, not an idle timeout, so a peer that drips one byte a second
 * still ends within it. Bodies are counted as they arrive and the connection is cut as soon as
 * they pass `maxBodyBytes` (or at once when `Content-Length` already says they will).
 */
import { bareHost } from '../wire.js';
import {
  request as httpRequest,
  type ClientRequest,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import {
  failures,
  TransportFailure,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from './transport.js';

type RequestFunction = (options: RequestOptions) => ClientRequest;

/**
 * Sends one request with `node:http` (`node:https` is loaded only for an `https:` endpoint).
 * @example
 * ```ts
 * const response = await httpTransport({
 *   method: 'GET', url: 'http://127.0.0.1:1338/latest/meta-data/', headers: {},
 *   connectTimeoutMs: 1000, timeoutMs: 1000, maxBodyBytes: 1 << 20,
 * });
 * ```
 */
export const httpTransport: Transport = async (request) => {
  const url = new URL(request.url);
  const send: RequestFunction =
    url.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
  return exchange(send, url, request);
};

function exchange(send: RequestFunction, url: URL, request: TransportRequest): Promise<TransportResponse> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let connectTimer: NodeJS.Timeout | undefined;
    const outgoing = send({
      protocol: url.protocol,
      // URL keeps IPv6 literals in brackets; the socket wants the bare address.
      hostname: bareHost(url.hostname),
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      path: url.pathname + url.search,
      method: request.method,
      headers: request.headers,
      agent: false,
    });
    const totalTimer = setTimeout(() => fail(failures.responseTimeout(request.timeoutMs)), request.timeoutMs);

    function finish(): void {
      settled = true;
      clearTimeout(totalTimer);
      clearTimeout(connectTimer);
    }
    function fail(failure: TransportFailure): void {
      if (settled) return;
      finish();
      outgoing.destroy();
      reject(failure);
    }

    outgoing.on('socket', (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(
        () => fail(failures.connectTimeout(request.connectTimeoutMs)),
        request.connectTimeoutMs,
      );
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      const errno = error.code ?? 'EUNKNOWN';
      fail(new TransportFailure('connection', `connection failed (${errno})`, { errno }));
    });
    outgoing.on('response', (response) =>
      readBody(response, request.maxBodyBytes, fail, (body) => {
        if (settled) return;
        finish();
        resolve({ status: response.statusCode ?? 0, headers: flatHeaders(response), body });
      }),
    );
    outgoing.end();
  });
}

function readBody(
  response: IncomingMessage,
  maxBytes: number,
  fail: (failure: TransportFailure) => void,
  done: (body: Uint8Array) => void,
): void {
  const tooLarge = () => failures.bodyTooLarge(maxBytes);
  const declared = Number(response.headers['content-length']);
  if (declared > maxBytes) {
    fail(tooLarge());
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) fail(tooLarge());
    else chunks.push(chunk);
  });
  response.on('end', () => done(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
  // A peer that closes before the declared length ends the response without 'end'.
  response.on('close', () => fail(failures.cutShort()));
  response.on('error', () => fail(failures.cutShort()));
}

function flatHeaders(response: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(response.headers))
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}
