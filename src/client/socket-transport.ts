/**
 * The default {@link Transport} for `http:` endpoints: one request on a fresh `node:net`
 * connection, read with {@link ResponseReader}. IMDS exchanges are one tiny request and one small
 * response on a connection the service closes, so `node:http` (its module graph, agent and
 * parser) costs more start-up time than it saves; `imds get` pays that cost on every run.
 * `https:` endpoints go through {@link httpTransport}.
 *
 * Two clocks bound an exchange, as in {@link httpTransport}: `connectTimeoutMs` until the TCP
 * connection is open, and `timeoutMs` for the whole exchange (a total, not an idle timeout, so a
 * peer dripping one byte a second still ends within it).
 */
import { bareHost } from '../wire.js';
// A named import: esbuild copies every export of a default-imported module, 0.2 ms on each start.
import { connect } from 'node:net';
import { BodyTooLargeError, MalformedResponseError, ResponseReader } from './response-reader.js';
import {
  failures,
  TransportFailure,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from './transport.js';

/** Characters that would end a header line early: a server-supplied token must never inject one. */
const UNSAFE_HEADER_TEXT = /[\r\n\0]/;

/**
 * @example
 * ```ts
 * const response = await socketTransport({
 *   method: 'GET', url: 'http://127.0.0.1:1338/latest/meta-data/', headers: {},
 *   connectTimeoutMs: 1000, timeoutMs: 1000, maxBodyBytes: 1 << 20,
 * });
 * ```
 */
export const socketTransport: Transport = async (request) => {
  const url = new URL(request.url);
  if (url.protocol !== 'http:') return (await import('./http-transport.js')).httpTransport(request);
  return exchange(url, request);
};

/** The request bytes: HTTP/1.1, `Host` first, `Connection: close`, an empty body for PUT. */
export function requestHead(url: URL, request: TransportRequest): string {
  let head = `${request.method} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
  for (const [name, value] of Object.entries(request.headers)) {
    if (UNSAFE_HEADER_TEXT.test(name) || UNSAFE_HEADER_TEXT.test(value)) {
      throw new TransportFailure(
        'connection',
        `header ${JSON.stringify(name.replace(UNSAFE_HEADER_TEXT, ''))} has a line break or NUL`,
        { errno: 'EINVALIDHEADER' },
      );
    }
    head += `${name}: ${value}\r\n`;
  }
  if (request.method === 'PUT') head += 'Content-Length: 0\r\n';
  return `${head}Connection: close\r\n\r\n`;
}

function exchange(url: URL, request: TransportRequest): Promise<TransportResponse> {
  const head = requestHead(url, request);
  return new Promise((resolve, reject) => {
    let settled = false;
    const reader = new ResponseReader(request.maxBodyBytes);
    const socket = connect({
      // URL keeps IPv6 literals in brackets; the socket wants the bare address.
      host: bareHost(url.hostname),
      port: Number(url.port || 80),
    });
    const connectTimer = setTimeout(
      () => fail(failures.connectTimeout(request.connectTimeoutMs)),
      request.connectTimeoutMs,
    );
    const totalTimer = setTimeout(() => fail(failures.responseTimeout(request.timeoutMs)), request.timeoutMs);

    function settle(): boolean {
      if (settled) return false;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(totalTimer);
      return true;
    }
    function fail(failure: TransportFailure): void {
      if (!settle()) return;
      socket.destroy();
      reject(failure);
    }
    function read(step: () => ReturnType<ResponseReader['push']>): void {
      try {
        const state = step();
        if (!state.done || !settle()) return;
        socket.destroy();
        resolve({ status: state.head.status, headers: state.head.headers, body: state.body });
      } catch (error) {
        if (error instanceof BodyTooLargeError) {
          fail(failures.bodyTooLarge(request.maxBodyBytes));
        } else if (error instanceof MalformedResponseError) {
          fail(
            new TransportFailure('connection', `malformed response (${error.message})`, { errno: 'EPROTO' }),
          );
        } else {
          throw error;
        }
      }
    }

    socket.once('connect', () => clearTimeout(connectTimer));
    socket.on('data', (chunk: Buffer) => read(() => reader.push(chunk)));
    socket.on('end', () => read(() => reader.end()));
    // Every exchange ends in 'close'; build the error (and its stack) only when it is one.
    socket.on('close', () => settled || fail(failures.cutShort()));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const errno = error.code ?? 'EUNKNOWN';
      fail(new TransportFailure('connection', `connection failed (${errno})`, { errno }));
    });
    socket.setNoDelay(true);
    socket.write(head, 'latin1');
  });
}
