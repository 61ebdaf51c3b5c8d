import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/client/backoff.js';
import { parseEventTime } from '../../src/client/events.js';
import { createLimiter } from '../../src/client/limiter.js';
import { directoryPath, metadataPath } from '../../src/client/paths.js';
import { TokenCache } from '../../src/client/token-cache.js';

describe('metadataPath', () => {
  it.each([
    ['instance-id', '/latest/meta-data/instance-id'],
    ['placement/region', '/latest/meta-data/placement/region'],
    ['', '/latest/meta-data/'],
    ['user-data', '/latest/user-data'],
    ['dynamic/instance-identity/document', '/latest/dynamic/instance-identity/document'],
    ['meta-data/ami-id', '/latest/meta-data/ami-id'],
    ['latest/meta-data/ami-id', '/latest/meta-data/ami-id'],
    ['/latest/meta-data/instance-id', '/latest/meta-data/instance-id'],
    ['/2021-07-15/meta-data/', '/2021-07-15/meta-data/'],
    ['//latest//meta-data/', '/latest/meta-data/'],
  ])('%s → %s', (name, path) => {
    expect(metadataPath(name)).toBe(path);
  });

  it('directoryPath ends in exactly one slash', () => {
    expect(directoryPath('iam')).toBe('/latest/meta-data/iam/');
    expect(directoryPath('iam//')).toBe('/latest/meta-data/iam/');
    expect(directoryPath('/latest')).toBe('/latest/');
  });
});

describe('backoffDelayMs', () => {
  it('doubles from 100 ms up to a 1 s ceiling, with half of each delay random', () => {
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelayMs(retry, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelayMs(retry, () => 0.999999))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('spreads delays when the random source varies', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelayMs(3)));
    expect(delays.size).toBeGreaterThan(5);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(200);
  });
});

describe('parseEventTime', () => {
  it('reads the service format', () => {
    expect(parseEventTime('21 Jan 2019 09:00:43 GMT')).toBe(Date.UTC(2019, 0, 21, 9, 0, 43));
    expect(parseEventTime('1 Dec 2024 23:59:59 GMT')).toBe(Date.UTC(2024, 11, 1, 23, 59, 59));
  });

  it('gives NaN for anything else', () => {
    expect(parseEventTime('2019-01-21T09:00:43Z')).toBeNaN();
    expect(parseEventTime('21 Foo 2019 09:00:43 GMT')).toBeNaN();
  });
});

describe('createLimiter', () => {
  it('never runs more than its concurrency at once, and runs everything', async () => {
    const limit = createLimiter(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        limit(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setTimeout(resolve, 2));
          active--;
          return index;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results).toEqual(Array.from({ length: 20 }, (_, index) => index));
  });

  it('frees the slot when a task fails', async () => {
    const limit = createLimiter(1);
    await expect(limit(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit(() => Promise.resolve(7))).resolves.toBe(7);
  });
});

describe('TokenCache', () => {
  it('shares one fetch among concurrent callers and reuses the token while fresh', async () => {
    let now = 0;
    const cache = new TokenCache({ now: () => now });
    let fetches = 0;
    const fetch = async () => {
      fetches++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { value: `t${fetches}`, issuedAt: now, expiresAt: now + 100_000 };
    };
    const tokens = await Promise.all(Array.from({ length: 10 }, () => cache.get(fetch)));
    expect(new Set(tokens.map((token) => token?.value))).toEqual(new Set(['t1']));
    now = 89_999; // within the last tenth of its life after this
    expect((await cache.get(fetch))?.value).toBe('t1');
    now = 90_000;
    expect((await cache.get(fetch))?.value).toBe('t2');
    expect(fetches).toBe(2);
  });

  it('refreshes a long-lived token a minute before it expires', async () => {
    let now = 0;
    const cache = new TokenCache({ now: () => now });
    let fetches = 0;
    const fetch = async () => ({ value: `t${++fetches}`, issuedAt: now, expiresAt: now + 21_600_000 });
    await cache.get(fetch);
    now = 21_600_000 - 60_001;
    expect((await cache.get(fetch))?.value).toBe('t1');
    now = 21_600_000 - 60_000;
    expect((await cache.get(fetch))?.value).toBe('t2');
  });

  it('invalidates only the token it was told about', async () => {
    const cache = new TokenCache({ now: () => 0 });
    let fetches = 0;
    const fetch = async () => ({ value: `t${++fetches}`, issuedAt: 0, expiresAt: 1_000_000 });
    await cache.get(fetch);
    cache.invalidate('someone-else');
    expect((await cache.get(fetch))?.value).toBe('t1');
    cache.invalidate('t1');
    expect((await cache.get(fetch))?.value).toBe('t2');
  });

  it('shares a failed fetch with every waiter, then tries again', async () => {
    const cache = new TokenCache({ now: () => 0 });
    let fetches = 0;
    const failing = async () => {
      fetches++;
      throw new Error('down');
    };
    const results = await Promise.allSettled([cache.get(failing), cache.get(failing), cache.get(failing)]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(fetches).toBe(1);
    await expect(
      cache.get(async () => ({ value: 'ok', issuedAt: 0, expiresAt: 1_000_000 })),
    ).resolves.toMatchObject({ value: 'ok' });
  });
});
