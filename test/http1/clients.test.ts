/**
 * Real HTTP clients against the front, with a tiny IMDS-shaped handler: the parsing and framing
 * must suit what node:http, fetch (undici) and the AWS SDK actually send and expect.
 */
import http from 'node:http';
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImdsRequest, ImdsResponse } from '../../src/server/exchange.js';
import { listen, type RunningListener } from '../../src/server/listen.js';
import { errorResponse } from './helpers.js';

const TOKEN = 'A'.repeat(56);

function text(
  status: number,
  body: string,
  extra: ReadonlyArray<readonly [string, string]> = [],
): ImdsResponse {
  const bytes = Buffer.from(body);
  return {
    status,
    headers: [
      ...extra,
      ['Content-Type', 'text/plain'],
      ['Content-Length', String(bytes.length)],
      ['Connection', 'close'],
    ],
    body: bytes,
  };
}

function miniImds(request: ImdsRequest): ImdsResponse {
  if (request.method === 'PUT' && request.target === '/latest/api/token') {
    const ttl = request.headers.get('x-aws-ec2-metadata-token-ttl-seconds')?.[0] ?? '';
    return text(200, TOKEN, [['X-Aws-Ec2-Metadata-Token-Ttl-Seconds', ttl]]);
  }
  if (request.headers.get('x-aws-ec2-metadata-token')?.[0] !== TOKEN) return text(401, '');
  if (request.target.replace(/\/+/g, '/') === '/latest/meta-data/instance-id')
    return text(200, 'i-0123456789abcdef0');
  return text(404, 'not found');
}

describe('real clients', () => {
  let listener: RunningListener;
  beforeAll(async () => {
    listener = await listen({ host: '127.0.0.1', port: 0, handler: miniImds, errorResponse });
  });
  afterAll(async () => {
    await listener.close();
  });

  it('serves the AWS SDK MetadataService (token PUT, then a GET with the token)', async () => {
    const service = new MetadataService({
      endpoint: listener.url,
      retries: 0,
      httpOptions: { timeout: 2_000 },
    });
    expect(await service.request('/latest/meta-data/instance-id', {})).toBe('i-0123456789abcdef0');
    expect(await service.fetchMetadataToken()).toBe(TOKEN);
  });

  it('serves fetch', async () => {
    const token = await fetch(`${listener.url}/latest/api/token`, {
      method: 'PUT',
      headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '300' },
    });
    expect(token.headers.get('x-aws-ec2-metadata-token-ttl-seconds')).toBe('300');
    const response = await fetch(`${listener.url}/latest/meta-data/instance-id`, {
      headers: { 'X-aws-ec2-metadata-token': await token.text() },
    });
    expect(await response.text()).toBe('i-0123456789abcdef0');
  });

  it('serves node:http, including a keep-alive agent and a chunked request body', async () => {
    const agent = new http.Agent({ keepAlive: true });
    const body = await new Promise<string>((resolve, reject) => {
      const request = http.request(
        `${listener.url}/latest/api/token`,
        { method: 'PUT', agent, headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '21600' } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve(Buffer.concat(chunks).toString()));
        },
      );
      request.on('error', reject);
      request.write('ignored ');
      request.end('body');
    });
    agent.destroy();
    expect(body).toBe(TOKEN);
  });
});
