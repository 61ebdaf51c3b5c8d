import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { ImdsTokenError } from '../../src/client/errors.js';
import { TOKEN_HEADER } from '../../src/wire.js';
import { useNetworkGuard } from './helpers/network-guard.js';
import { clientFor, emulatorOn, interceptedEmulator, methods, page, tokenPuts } from './helpers/peers.js';

useNetworkGuard();

const NOW = Date.UTC(2024, 1, 27, 13, 6, 6);
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function emulator(options: Parameters<typeof emulatorOn>[0] = {}) {
  const running = await emulatorOn(options);
  closers.push(() => running.close());
  return running;
}

describe('session tokens', () => {
  it('N concurrent gets cause exactly one token PUT', async () => {
    const imds = await emulator();
    const client = clientFor(imds.url);
    const ids = await Promise.all(Array.from({ length: 25 }, () => client.instanceId()));
    expect(new Set(ids)).toEqual(new Set(['i-0410f3c9b2d5e8a71']));
    expect(tokenPuts(imds)).toBe(1);
    const tokens = new Set(
      client.transport.requests.filter((r) => r.method === 'GET').map((r) => r.headers[TOKEN_HEADER]),
    );
    expect(tokens.size).toBe(1);
  });

  it('asks for the configured TTL', async () => {
    const imds = await emulator();
    const client = clientFor(imds.url, { tokenTtlSeconds: 300 });
    await client.instanceId();
    const put = client.transport.requests.find((request) => request.method === 'PUT');
    expect(put?.headers['x-aws-ec2-metadata-token-ttl-seconds']).toBe('300');
  });

  it('reuses a short-lived token, then refreshes it before it expires (no 401 on the way)', async () => {
    const clock = new ManualClock(NOW);
    const imds = await emulator({ clock });
    const client = clientFor(imds.url, { clock, tokenTtlSeconds: 10 });
    await client.instanceId();
    clock.advance(5_000);
    await client.instanceId();
    expect(tokenPuts(imds)).toBe(1);
    clock.advance(4_500); // 9.5 s into a 10 s token: inside the last tenth, so it is renewed
    await client.instanceId();
    expect(tokenPuts(imds)).toBe(2);
    expect(methods(imds)).toEqual(['PUT 200', 'GET 200', 'GET 200', 'PUT 200', 'GET 200']);
  });

  it('recovers from a 401 (token expired behind its back) with one new token', async () => {
    const serverClock = new ManualClock(NOW);
    const imds = await emulator({ clock: serverClock });
    const client = clientFor(imds.url, { clock: new ManualClock(NOW), tokenTtlSeconds: 10 });
    await client.instanceId();
    serverClock.advance(11_000);
    expect(await client.region()).toBe('ap-northeast-1');
    expect(methods(imds)).toEqual(['PUT 200', 'GET 200', 'GET 401', 'PUT 200', 'GET 200']);
  });

  it('recovers from a 401 when the instance is replaced (tokens of another instance id)', async () => {
    const imds = await emulator();
    const client = clientFor(imds.url);
    await client.instanceId();
    imds.emulator.setInstance({ ...imds.emulator.instance, instanceId: 'i-0aaaaaaaaaaaaaaaa' });
    expect(await client.instanceId()).toBe('i-0aaaaaaaaaaaaaaaa');
    expect(tokenPuts(imds)).toBe(2);
  });

  it('gives up with TOKEN_REJECTED when even a fresh token is refused, after exactly one renewal', async () => {
    const imds = await interceptedEmulator((request) =>
      request.method === 'GET' ? { ...page(401), status: 401 } : undefined,
    );
    closers.push(() => imds.close());
    const client = clientFor(imds.url);
    const error = await client.instanceId().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImdsTokenError);
    expect(error).toMatchObject({
      name: 'ImdsTokenError',
      code: 'TOKEN_REJECTED',
      status: 401,
      path: '/latest/meta-data/instance-id',
    });
    expect(client.transport.requests.map((request) => request.method)).toEqual(['PUT', 'GET', 'PUT', 'GET']);
  });
});
