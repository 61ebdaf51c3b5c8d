/**
 * The few HTTP exchanges the bench makes itself (a token, a check), with `node:http` on a fresh
 * connection each, bounded by a timeout. Loopback only.
 */
import http from 'node:http';
import { TOKEN_HEADER, TOKEN_PATH, TOKEN_TTL_HEADER } from '../../src/wire.js';

export interface SimpleResponse {
  readonly status: number;
  readonly body: string;
}

/**
 * One request; rejects on connection errors or after `timeoutMs`.
 * @example
 * ```ts
 * const { status } = await request('GET', 'http://127.0.0.1:1338/latest/meta-data/');
 * ```
 */
export function request(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  timeoutMs = 5_000,
): Promise<SimpleResponse> {
  const target = new URL(url);
  if (target.hostname !== '127.0.0.1')
    throw new Error(`the bench only talks to loopback, not ${target.hostname}`);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      target,
      { method, headers, agent: false, timeout: timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () =>
      outgoing.destroy(new Error(`${method} ${url}: no answer within ${timeoutMs} ms`)),
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** A session token from the emulator at `baseUrl` (21600 s TTL). */
export async function fetchToken(baseUrl: string, timeoutMs = 5_000): Promise<string> {
  const response = await request(
    'PUT',
    `${baseUrl}${TOKEN_PATH}`,
    { [TOKEN_TTL_HEADER]: '21600' },
    timeoutMs,
  );
  if (response.status !== 200) throw new Error(`token PUT to ${baseUrl} answered ${response.status}`);
  return response.body;
}

/** GET `path` with a token; returns the response. */
export function getWithToken(
  baseUrl: string,
  path: string,
  token: string,
  timeoutMs = 5_000,
): Promise<SimpleResponse> {
  return request('GET', `${baseUrl}${path}`, { [TOKEN_HEADER]: token }, timeoutMs);
}
