import { fromInstanceMetadata } from '@smithy/credential-provider-imds';
import { afterEach, describe, expect, it } from 'vitest';
import { makeRequest } from '../../src/server/exchange.js';
import { ENV } from '../../src/wire.js';
import { NoReply, request, serveOnLoopback, type Served } from './http.js';

let served: Served | undefined;
afterEach(() => served?.close());

const TTL = { 'X-aws-ec2-metadata-token-ttl-seconds': '60' };
const putToken = (s: Served, from: string, timeoutMs = 5_000) =>
  request(s.url, '/latest/api/token', { method: 'PUT', headers: TTL, from, timeoutMs });

describe('hop limit', () => {
  it('token PUTs from the chosen clients are never answered; other clients and IMDSv1 reads are unaffected', async () => {
    served = await serveOnLoopback({
      httpTokens: 'optional',
      scenarios: [{ type: 'hop-limit', clients: { addresses: ['127.0.0.2'] } }],
    });
    await expect(putToken(served, '127.0.0.2', 300)).rejects.toMatchObject({ kind: 'timeout' });
    expect((await putToken(served, '127.0.0.3')).status).toBe(200);
    expect((await served.getV1('/latest/meta-data/instance-id', { from: '127.0.0.2' })).body).toBe(
      'i-0410f3c9b2d5e8a71',
    );
    const silenced = served.emulator.requests
      .entries()
      .find((entry) => entry.peer === '127.0.0.2' && entry.method === 'PUT');
    expect(silenced).toMatchObject({ status: 'silence', access: 'token-request' });
  });

  it('an AWS SDK behind the hop limit times out on the token and falls back to IMDSv1, as in a container', async () => {
    served = await serveOnLoopback({ httpTokens: 'optional', scenarios: [{ type: 'hop-limit' }] });
    served.clock.set(Date.now());
    const saved = { ...process.env };
    try {
      process.env[ENV.endpoint] = served.url;
      delete process.env[ENV.v1Disabled];
      const credentials = await fromInstanceMetadata({ timeout: 300, maxRetries: 0 })();
      expect(credentials.accessKeyId).toMatch(/^ASIA/);
    } finally {
      process.env = saved;
    }
    const log = served.emulator.requests.entries();
    expect(log.some((entry) => entry.method === 'PUT' && entry.status === 'silence')).toBe(true);
    expect(
      log
        .filter((entry) => entry.method === 'GET')
        .every((entry) => entry.access === 'v1' && entry.status === 200),
    ).toBe(true);
  });
});

describe('throttling', () => {
  it('allows a burst per client, then answers 503 until the rate refills it (on the emulator clock)', async () => {
    served = await serveOnLoopback({
      httpTokens: 'optional',
      scenarios: [{ type: 'throttle', ratePerSecond: 2, burst: 3, response: 503 }],
    });
    const statuses = async (from: string, count: number) => {
      const out: number[] = [];
      for (let i = 0; i < count; i++)
        out.push((await served!.getV1('/latest/meta-data/instance-id', { from })).status);
      return out;
    };
    expect(await statuses('127.0.0.2', 5)).toEqual([200, 200, 200, 503, 503]);
    expect(await statuses('127.0.0.3', 3)).toEqual([200, 200, 200]);
    const throttled = await served.getV1('/latest/meta-data/instance-id', { from: '127.0.0.2' });
    expect(throttled.headers['content-type']).toBe('text/html');
    expect(throttled.body).toContain('503 - Service Unavailable');
    served.clock.advance(500);
    expect(await statuses('127.0.0.2', 2)).toEqual([200, 503]);
    served.clock.advance(1_500);
    expect(await statuses('127.0.0.2', 4)).toEqual([200, 200, 200, 503]);
  });

  it('can drop the connection instead', async () => {
    served = await serveOnLoopback({
      httpTokens: 'optional',
      scenarios: [{ type: 'throttle', ratePerSecond: 1, burst: 1, response: 'reset' }],
    });
    expect((await served.getV1('/latest/meta-data/instance-id')).status).toBe(200);
    await expect(served.getV1('/latest/meta-data/instance-id')).rejects.toMatchObject({ kind: 'reset' });
    expect(served.emulator.requests.entries().at(-1)?.status).toBe('reset');
  });
});

describe('latency', () => {
  it('holds every response back by the delay', async () => {
    served = await serveOnLoopback({
      httpTokens: 'optional',
      scenarios: [{ type: 'latency', delayMs: 150, clients: { addresses: ['127.0.0.2'] } }],
    });
    const outcome = served.emulator.handle(
      makeRequest('GET', '/latest/meta-data/instance-id', {}, '127.0.0.2'),
    );
    expect(outcome).toMatchObject({ status: 200, delayMs: 150 });
    expect(
      served.emulator.handle(makeRequest('GET', '/latest/meta-data/instance-id', {}, '127.0.0.3')),
    ).not.toHaveProperty('delayMs');
    const started = performance.now();
    expect((await served.getV1('/latest/meta-data/instance-id', { from: '127.0.0.2' })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('server errors', () => {
  it('a rate of 1 answers every request with the chosen 5xx', async () => {
    served = await serveOnLoopback({
      httpTokens: 'optional',
      scenarios: [{ type: 'server-errors', rate: 1, status: 502 }],
    });
    const reply = await served.getV1('/latest/meta-data/instance-id');
    expect(reply.status).toBe(502);
    expect((await request(served.url, '/latest/api/token', { method: 'PUT', headers: TTL })).status).toBe(
      502,
    );
  });

  it('a fractional rate fails about that share, the same requests for the same seed', async () => {
    const failures = async (seed: number) => {
      const s = await serveOnLoopback({
        httpTokens: 'optional',
        seed: seed,
        scenarios: [{ type: 'server-errors', rate: 0.3, status: 500 }],
      });
      try {
        return Array.from({ length: 400 }, () =>
          s.emulator.handle(makeRequest('GET', '/latest/meta-data/instance-id')),
        ).map((outcome) => ('status' in outcome ? outcome.status : 0));
      } finally {
        await s.close();
      }
    };
    const first = await failures(7);
    const count = first.filter((status) => status === 500).length;
    expect(count).toBeGreaterThan(80);
    expect(count).toBeLessThan(160);
    expect(await failures(7)).toEqual(first);
    expect(await failures(8)).not.toEqual(first);
  });
});

describe('endpoint switched off', () => {
  it('forbidden: 403 to everything during the window, then back', async () => {
    served = await serveOnLoopback({
      scenarios: [
        { type: 'endpoint-off', response: 'forbidden', when: { after: 60_000 }, durationMs: 120_000 },
      ],
    });
    expect((await served.get('/latest/meta-data/instance-id')).status).toBe(200);
    served.clock.advance(60_000);
    expect((await request(served.url, '/latest/api/token', { method: 'PUT', headers: TTL })).status).toBe(
      403,
    );
    expect((await served.getV1('/latest/meta-data/instance-id')).status).toBe(403);
    served.clock.advance(120_000);
    expect((await served.get('/latest/meta-data/instance-id')).status).toBe(200);
  });

  it('reset drops connections, silence never answers', async () => {
    served = await serveOnLoopback({
      scenarios: [
        { type: 'endpoint-off', response: 'reset', clients: { addresses: ['127.0.0.2'] } },
        { type: 'endpoint-off', response: 'silence', clients: { addresses: ['127.0.0.3'] } },
      ],
    });
    await expect(putToken(served, '127.0.0.2')).rejects.toBeInstanceOf(NoReply);
    await expect(putToken(served, '127.0.0.2')).rejects.toMatchObject({ kind: 'reset' });
    await expect(putToken(served, '127.0.0.3', 300)).rejects.toMatchObject({ kind: 'timeout' });
    expect((await putToken(served, '127.0.0.4')).status).toBe(200);
  });
});

describe('choosing clients', () => {
  it('firstSeen picks the first N distinct addresses the emulator saw, like mock-ip-count', async () => {
    served = await serveOnLoopback({
      httpTokens: 'optional',
      scenarios: [{ type: 'server-errors', rate: 1, status: 503, clients: { firstSeen: 2 } }],
    });
    const status = async (from: string) =>
      (await served!.getV1('/latest/meta-data/instance-id', { from })).status;
    expect(await status('127.0.0.5')).toBe(503);
    expect(await status('127.0.0.6')).toBe(503);
    expect(await status('127.0.0.7')).toBe(200);
    expect(await status('127.0.0.5')).toBe(503);
    expect(served.emulator.peers).toEqual(['127.0.0.5', '127.0.0.6', '127.0.0.7']);
  });

  it('CIDR blocks select whole ranges', async () => {
    served = await serveOnLoopback({
      httpTokens: 'optional',
      scenarios: [{ type: 'server-errors', rate: 1, status: 500, clients: { addresses: ['127.0.0.8/30'] } }],
    });
    expect((await served.getV1('/latest/meta-data/instance-id', { from: '127.0.0.9' })).status).toBe(500);
    expect((await served.getV1('/latest/meta-data/instance-id', { from: '127.0.0.12' })).status).toBe(200);
  });
});
