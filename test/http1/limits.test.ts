import { describe, expect, it } from 'vitest';
import { DEFAULT_FRONT_LIMITS, resolveLimits } from '../../src/server/http1/limits.js';
import { sweepIntervalMs } from '../../src/server/http1/deadline-sweep.js';
import { ListenError } from '../../src/net/listen-error.js';

describe('resolveLimits', () => {
  it('fills missing fields from the defaults and keeps the given ones', () => {
    expect(resolveLimits({ maxHeadBytes: 1_024, requestTimeoutMs: undefined })).toEqual({
      ...DEFAULT_FRONT_LIMITS,
      maxHeadBytes: 1_024,
    });
    expect(resolveLimits()).toEqual(DEFAULT_FRONT_LIMITS);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses %s with a RangeError naming the field',
    (value) => {
      expect(() => resolveLimits({ maxBodyBytes: value })).toThrow(
        /limits\.maxBodyBytes must be a positive integer/,
      );
    },
  );

  it('has defaults that fit an IMDS client', () => {
    expect(DEFAULT_FRONT_LIMITS.maxHeadBytes).toBeGreaterThanOrEqual(4_096);
    expect(DEFAULT_FRONT_LIMITS.requestTimeoutMs).toBeGreaterThan(5_000);
    expect(Object.isFrozen(DEFAULT_FRONT_LIMITS)).toBe(true);
  });
});

describe('sweepIntervalMs', () => {
  it('is a tenth of the timeout, within 10 ms and 1 s', () => {
    expect(sweepIntervalMs(10_000)).toBe(1_000);
    expect(sweepIntervalMs(60_000)).toBe(1_000);
    expect(sweepIntervalMs(500)).toBe(50);
    expect(sweepIntervalMs(20)).toBe(10);
  });
});

describe('ListenError', () => {
  it('carries a stable name, the code, the address and the cause, and says what to do', () => {
    const cause = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    const error = new ListenError('::1', 1338, cause);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ListenError');
    expect(error).toMatchObject({ code: 'EADDRINUSE', host: '::1', port: 1338, cause });
    expect(error.message).toBe(
      'Cannot listen: the address is already in use ([::1]:1338): stop the other process or choose another port (port 0 picks a free one)',
    );
  });

  it('falls back to UNKNOWN for a cause without a code', () => {
    expect(new ListenError('127.0.0.1', 1, 'boom').code).toBe('UNKNOWN');
  });
});
