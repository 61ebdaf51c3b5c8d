/**
 * A minimal HTTP/1.1 client over one raw TCP connection per request, as IMDS clients behave:
 * write the request, read until the server closes, split the response. No agent, no pooling, no
 * retries, no header normalization, so what the tests check is exactly what the server sent.
 */
import net from 'node:net';
import { splitResponse } from '../../helpers/http1-response.js';

/** One request to send. Header names are written as given. */
export interface WireRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
}

/** A complete response as read off the wire. */
export interface WireResponse {
  readonly kind: 'response';
  readonly status: number;
  /** Headers by lower-cased name, each with its last value. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

/** The connection ended without a parsable response: refused, reset, cut short or timed out. */
export interface WireFailure {
  readonly kind: 'failure';
  readonly reason: 'error' | 'timeout' | 'no-response' | 'malformed';
  readonly detail: string;
}

export type WireOutcome = WireResponse | WireFailure;

/** Sends `request` to 127.0.0.1:`port` on a fresh connection; never rejects. */
export function sendRequest(port: number, request: WireRequest, timeoutMs = 5_000): Promise<WireOutcome> {
  let head = `${request.method} ${request.path} HTTP/1.1\r\nHost: 169.254.169.254\r\n`;
  for (const [name, value] of request.headers ?? []) head += `${name}: ${value}\r\n`;
  head += '\r\n';
  return exchange(port, Buffer.from(head, 'latin1'), timeoutMs);
}

function exchange(port: number, bytes: Buffer, timeoutMs: number): Promise<WireOutcome> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let failure: WireFailure | undefined;
    const socket = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      failure = { kind: 'failure', reason: 'timeout', detail: `no close within ${timeoutMs} ms` };
      socket.destroy();
    }, timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      failure ??= { kind: 'failure', reason: 'error', detail: error.code ?? error.message };
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(failure ?? parseWireResponse(Buffer.concat(chunks)));
    });
  });
}

/** Splits the bytes of one response; a failure when they do not hold one. */
export function parseWireResponse(bytes: Buffer): WireOutcome {
  if (bytes.length === 0) return { kind: 'failure', reason: 'no-response', detail: 'closed without a byte' };
  const split = splitResponse(bytes);
  if ('problem' in split) return { kind: 'failure', reason: 'malformed', detail: split.problem };
  const headers = new Map<string, string>();
  for (const [name, value] of split.headers) headers.set(name.toLowerCase(), value);
  return { kind: 'response', status: split.status, headers, body: split.body };
}
