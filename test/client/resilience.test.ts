import { afterEach, describe, expect, it } from 'vitest';
import {
  ImdsError,
  ImdsResponseError,
  ImdsTimeoutError,
  ImdsUnavailableError,
  ImdsDisabledError,
} from '../../src/client/errors.js';
import type { ImdsResponse } from '../../src/server/exchange.js';
import { useNetworkGuard } from './helpers/network-guard.js';
import {
  clientFor,
  closedPort,
  drippingPeer,
  emulatorOn,
  interceptedEmulator,
  ok,
  page,
  silentPeer,
} from './helpers/peers.js';

useNetworkGuard();

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** An emulator whose reads (GETs) are answered by `answers` in turn, then normally. */
async function readsAnswered(...answers: Array<ImdsResponse | { noResponse: 'reset' | 'silence' }>) {
  let calls = 0;
  const imds = await interceptedEmulator((request) =>
    request.method === 'GET' ? answers[calls++] : undefined,
  );
  closers.push(() => imds.close());
  return imds;
}

async function elapsed<T>(action: () => Promise<T>): Promise<{ ms: number; result: T | unknown }> {
  const started = performance.now();
  const result = await action().catch((error: unknown) => error);
  return { ms: performance.now() - started, result };
}

describe('retries', () => {
  it.each([500, 502, 503, 504, 429])('retries a %d with backoff and succeeds', async (status) => {
    const imds = await readsAnswered(page(status), page(status));
    const client = clientFor(imds.url, { random: () => 0 });
    const { ms, result } = await elapsed(() => client.instanceId());
    expect(result).toBe('i-0410f3c9b2d5e8a71');
    expect(client.transport.requests.map((request) => request.method)).toEqual(['PUT', 'GET', 'GET', 'GET']);
    expect(ms).toBeGreaterThanOrEqual(50 + 100 - 5); // two backoffs at their floor: 50 ms, 100 ms
  });

  it('gives up after `attempts` with ImdsUnavailableError carrying the status and attempt count', async () => {
    const imds = await readsAnswered(page(503), page(503), page(503), page(503));
    const client = clientFor(imds.url, { attempts: 3, random: () => 0 });
    const error = await client.instanceId().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImdsUnavailableError);
    expect(error).toMatchObject({
      code: 'UNAVAILABLE',
      status: 503,
      attempts: 3,
      path: '/latest/meta-data/instance-id',
    });
    expect(client.transport.requests.filter((request) => request.method === 'GET')).toHaveLength(3);
  });

  it('retries a reset connection', async () => {
    const imds = await readsAnswered({ noResponse: 'reset' });
    const client = clientFor(imds.url, { random: () => 0 });
    expect(await client.instanceId()).toBe('i-0410f3c9b2d5e8a71');
    expect(client.transport.requests.filter((request) => request.method === 'GET')).toHaveLength(2);
  });

  it.each([400, 405, 418])('does not retry a %d', async (status) => {
    const imds = await readsAnswered(page(status));
    const client = clientFor(imds.url);
    const error = await client.instanceId().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImdsResponseError);
    expect(error).toMatchObject({ code: 'UNEXPECTED_STATUS', status, attempts: 1 });
    expect(client.transport.requests.filter((request) => request.method === 'GET')).toHaveLength(1);
  });

  it('retries a throttled token PUT too (503), then reads with the token', async () => {
    let puts = 0;
    const imds = await interceptedEmulator((request) =>
      request.method === 'PUT' && puts++ === 0 ? page(503) : undefined,
    );
    closers.push(() => imds.close());
    const client = clientFor(imds.url, { random: () => 0 });
    expect(await client.instanceId()).toBe('i-0410f3c9b2d5e8a71');
    expect(client.lastV1Fallback).toBeUndefined();
    expect(client.transport.requests.map((request) => request.method)).toEqual(['PUT', 'PUT', 'GET']);
  });
});

describe('off EC2: every failure ends within the configured time', () => {
  it('closed port: ImdsUnavailableError (ECONNREFUSED) after the attempts, well within the deadline', async () => {
    const url = await closedPort();
    const client = clientFor(url, { timeoutMs: 500, attempts: 3 });
    const { ms, result } = await elapsed(() => client.instanceId());
    expect(result).toBeInstanceOf(ImdsUnavailableError);
    expect(result).toMatchObject({ code: 'UNAVAILABLE', attempts: 3 });
    expect((result as Error).message).toContain('ECONNREFUSED');
    expect(ms).toBeLessThan(client.config.deadlineMs);
  });

  it('silent peer (accepts, never answers): fails within timeout × (attempts + 1)', async () => {
    const peer = await silentPeer();
    closers.push(() => peer.close());
    const client = clientFor(peer.url, { timeoutMs: 250, attempts: 2 });
    const { ms, result } = await elapsed(() => client.instanceId());
    expect(result).toBeInstanceOf(ImdsTimeoutError);
    expect(result).toMatchObject({ code: 'TIMEOUT', phase: 'response' });
    expect(client.config.deadlineMs).toBe(750);
    expect(ms).toBeGreaterThanOrEqual(700);
    // The deadline is shown by the attempts and the lower bound; the upper one is a hang guard,
    // since a loaded 2-core machine delays timers by hundreds of milliseconds.
    expect(ms).toBeLessThan(750 * 4);
    // The token PUT timed out (a fallback, as for the hop limit), then the IMDSv1 reads did.
    expect(client.transport.requests[0]?.method).toBe('PUT');
    expect(client.lastV1Fallback).toMatchObject({ reason: 'timeout' });
  });

  it('silent peer with the default settings: fails within 5 s (1 s × (4 + 1))', async () => {
    const peer = await silentPeer();
    closers.push(() => peer.close());
    const client = clientFor(peer.url);
    const { ms, result } = await elapsed(() => client.instanceId());
    expect(result).toBeInstanceOf(ImdsTimeoutError);
    expect(ms).toBeLessThan(5_000 * 2); // hang guard (see above)
  }, 10_000);

  it('a peer dripping one byte per second hits the total timeout (an idle timeout never would)', async () => {
    const peer = await drippingPeer(1_000);
    closers.push(() => peer.close());
    const client = clientFor(peer.url, { timeoutMs: 1_500, attempts: 1, v1Fallback: false });
    const { ms, result } = await elapsed(() => client.token());
    expect(result).toBeInstanceOf(ImdsTimeoutError);
    expect(result).toMatchObject({ phase: 'response', attempts: 1 });
    expect(ms).toBeGreaterThanOrEqual(1_450);
    expect(ms).toBeLessThan(1_500 * 3); // hang guard (see above)
  });

  it('AWS_EC2_METADATA_DISABLED=true fails at once and sends nothing', async () => {
    const url = await closedPort();
    const client = clientFor(url, { env: { AWS_EC2_METADATA_DISABLED: 'true' } });
    for (const call of [
      () => client.instanceId(),
      () => client.list(),
      () => client.token(),
      () => client.dump(),
      () => client.userData(),
    ]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ImdsDisabledError);
      expect(error).toMatchObject({ code: 'DISABLED', attempts: 0 });
    }
    expect(client.transport.requests).toHaveLength(0);
  });
});

describe('response limits', () => {
  it('refuses a body over maxBodyBytes (1 MiB by default) with BODY_TOO_LARGE, without retrying', async () => {
    const imds = await readsAnswered(ok(Buffer.alloc(1024 * 1024 + 1, 0x61)));
    const client = clientFor(imds.url);
    const error = await client.get('big').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImdsResponseError);
    expect(error).toMatchObject({
      name: 'ImdsResponseError',
      code: 'BODY_TOO_LARGE',
      attempts: 1,
      path: '/latest/meta-data/big',
    });
    expect(client.transport.requests.filter((request) => request.method === 'GET')).toHaveLength(1);
  });

  it('accepts a body of exactly maxBodyBytes', async () => {
    const imds = await readsAnswered(ok('x'.repeat(4096)));
    const client = clientFor(imds.url, { maxBodyBytes: 4096 });
    expect(await client.get('exact')).toHaveLength(4096);
  });

  it('cuts a body that runs past the cap even when Content-Length does not announce it', async () => {
    const { rawPeer } = await import('./helpers/peers.js');
    const peer = await rawPeer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n');
        socket.end(Buffer.alloc(10_000, 0x62));
      });
    });
    closers.push(() => peer.close());
    const client = clientFor(peer.url, { maxBodyBytes: 1000, v1Fallback: false });
    const error = await client.token().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'BODY_TOO_LARGE' });
  });

  it('every error is an ImdsError with a stable name', async () => {
    const imds = await emulatorOn();
    closers.push(() => imds.close());
    const error = await clientFor(imds.url)
      .get('nope')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImdsError);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('ImdsNotFoundError');
  });
});
