/**
 * A bare HTTP exchange from a chosen loopback source address (Linux routes all of 127/8 to lo), so
 * a test can be the caller at 127.0.0.3. Only loopback targets are accepted.
 */
import http from 'node:http';

export interface Answer {
  readonly status: number;
  readonly body: string;
}

export function exchange(
  url: string,
  path: string,
  options: { from?: string; method?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Answer> {
  const target = new URL(path, url);
  if (!/^127\./.test(target.hostname)) throw new Error(`loopback only, not ${target.hostname}`);
  return new Promise((resolve, reject) => {
    const request = http.request(
      target,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        ...(options.from ? { localAddress: options.from } : {}),
        timeout: options.timeoutMs ?? 5_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
    request.end();
  });
}

/** A session token from `url`, asked from `from`. */
export async function tokenFrom(
  url: string,
  from?: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const answer = await exchange(url, '/latest/api/token', {
    method: 'PUT',
    headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '300', ...headers },
    ...(from ? { from } : {}),
  });
  if (answer.status !== 200) throw new Error(`token request got ${answer.status}`);
  return answer.body;
}

/** GET a metadata path with a fresh token, both from `from`. */
export async function read(
  url: string,
  path: string,
  from?: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const token = await tokenFrom(url, from, headers);
  return exchange(url, path, {
    headers: { 'x-aws-ec2-metadata-token': token, ...headers },
    ...(from ? { from } : {}),
  });
}
