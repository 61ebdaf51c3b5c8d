import { describe, expect, it } from 'vitest';
import { resolveImdsConfig } from '../../src/client/config.js';
import { ImdsConfigError } from '../../src/client/errors.js';
import { IPV4_ENDPOINT, IPV6_ENDPOINT } from '../../src/wire.js';

// Pure resolution only: no client is created and no request is sent in this file.
describe('endpoint resolution', () => {
  it('defaults to the IPv4 link-local endpoint', () => {
    expect(resolveImdsConfig({}, {})).toMatchObject({ endpoint: IPV4_ENDPOINT, endpointSource: 'default' });
  });

  it('follows AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE, case-insensitively', () => {
    expect(resolveImdsConfig({}, { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'IPv6' }).endpoint).toBe(
      IPV6_ENDPOINT,
    );
    expect(resolveImdsConfig({}, { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'ipv6' }).endpoint).toBe(
      IPV6_ENDPOINT,
    );
    expect(resolveImdsConfig({}, { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'IPv4' }).endpoint).toBe(
      IPV4_ENDPOINT,
    );
    expect(resolveImdsConfig({}, { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'IPv6' }).endpointSource).toBe(
      'mode-env',
    );
  });

  it('ranks option > endpoint env > mode option > mode env > default', () => {
    const env = {
      AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:9',
      AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'IPv6',
    };
    expect(resolveImdsConfig({ endpoint: 'http://127.0.0.2:8' }, env)).toMatchObject({
      endpoint: 'http://127.0.0.2:8',
      endpointSource: 'option',
    });
    expect(resolveImdsConfig({ endpointMode: 'IPv4' }, env)).toMatchObject({
      endpoint: 'http://127.0.0.1:9',
      endpointSource: 'env',
    });
    expect(
      resolveImdsConfig({ endpointMode: 'IPv4' }, { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'IPv6' }),
    ).toMatchObject({
      endpoint: IPV4_ENDPOINT,
      endpointSource: 'mode-option',
    });
  });

  it('treats an empty endpoint mode as unset', () => {
    expect(resolveImdsConfig({}, { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: ' ' }).endpoint).toBe(
      IPV4_ENDPOINT,
    );
  });

  it('refuses an endpoint variable that is set but empty, instead of falling back to the real service', () => {
    for (const blank of ['', '  ']) {
      const resolve = () => resolveImdsConfig({}, { AWS_EC2_METADATA_SERVICE_ENDPOINT: blank });
      expect(resolve).toThrow(ImdsConfigError);
      expect(resolve).toThrow(/AWS_EC2_METADATA_SERVICE_ENDPOINT.*set but empty/);
    }
    // The explicit option still wins over the variable, blank or not.
    expect(
      resolveImdsConfig({ endpoint: 'http://127.0.0.1:1338' }, { AWS_EC2_METADATA_SERVICE_ENDPOINT: '' })
        .endpoint,
    ).toBe('http://127.0.0.1:1338');
  });

  it('normalizes an endpoint to its origin (IPv6 literal kept in brackets, trailing slash dropped)', () => {
    expect(resolveImdsConfig({ endpoint: 'http://[::1]:1338/' }).endpoint).toBe('http://[::1]:1338');
    expect(resolveImdsConfig({ endpoint: 'http://LOCALHOST:80' }).endpoint).toBe('http://localhost');
  });

  it.each([
    ['not a url', 'not a URL'],
    ['ftp://127.0.0.1', 'http://'],
    ['http://127.0.0.1:1338/latest', 'no path'],
    ['http://user:pw@127.0.0.1', 'credentials'],
  ])('refuses endpoint %s, naming the variable', (value, problem) => {
    const error = captureError(() => resolveImdsConfig({}, { AWS_EC2_METADATA_SERVICE_ENDPOINT: value }));
    expect(error).toBeInstanceOf(ImdsConfigError);
    expect(error).toMatchObject({
      name: 'ImdsConfigError',
      code: 'CONFIG',
      setting: 'AWS_EC2_METADATA_SERVICE_ENDPOINT',
    });
    expect((error as Error).message).toContain(problem);
  });

  it('refuses an unknown endpoint mode', () => {
    expect(
      captureError(() => resolveImdsConfig({}, { AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'IPv5' })),
    ).toMatchObject({
      setting: 'AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE',
    });
  });
});

describe('switches', () => {
  it('AWS_EC2_METADATA_DISABLED=true disables (only "true", any case)', () => {
    expect(resolveImdsConfig({}, { AWS_EC2_METADATA_DISABLED: 'true' }).disabled).toBe(true);
    expect(resolveImdsConfig({}, { AWS_EC2_METADATA_DISABLED: 'TRUE' }).disabled).toBe(true);
    expect(resolveImdsConfig({}, { AWS_EC2_METADATA_DISABLED: '1' }).disabled).toBe(false);
    expect(resolveImdsConfig({}, {}).disabled).toBe(false);
    expect(resolveImdsConfig({ disabled: false }, { AWS_EC2_METADATA_DISABLED: 'true' }).disabled).toBe(
      false,
    );
  });

  it('AWS_EC2_METADATA_V1_DISABLED=true turns the v1 fallback off; the option wins', () => {
    expect(resolveImdsConfig({}, {}).v1Fallback).toBe(true);
    expect(resolveImdsConfig({}, { AWS_EC2_METADATA_V1_DISABLED: 'true' }).v1Fallback).toBe(false);
    expect(resolveImdsConfig({ v1Fallback: true }, { AWS_EC2_METADATA_V1_DISABLED: 'true' }).v1Fallback).toBe(
      true,
    );
    expect(resolveImdsConfig({ v1Fallback: false }, {}).v1Fallback).toBe(false);
  });
});

describe('timeouts, attempts, TTL', () => {
  it('uses the AWS SDK IMDS client defaults: 1 s timeouts, 4 attempts (3 retries), TTL 21600, 1 MiB bodies', () => {
    expect(resolveImdsConfig({}, {})).toMatchObject({
      timeoutMs: 1000,
      connectTimeoutMs: 1000,
      attempts: 4,
      tokenTtlSeconds: 21600,
      maxBodyBytes: 1024 * 1024,
      deadlineMs: 5000,
    });
  });

  it('reads AWS_METADATA_SERVICE_TIMEOUT in seconds (fractions allowed) and AWS_METADATA_SERVICE_NUM_ATTEMPTS', () => {
    const config = resolveImdsConfig(
      {},
      { AWS_METADATA_SERVICE_TIMEOUT: '2.5', AWS_METADATA_SERVICE_NUM_ATTEMPTS: '2' },
    );
    expect(config).toMatchObject({ timeoutMs: 2500, connectTimeoutMs: 1000, attempts: 2, deadlineMs: 7500 });
  });

  it('caps the connect timeout at the total timeout', () => {
    expect(resolveImdsConfig({ timeoutMs: 300 }, {}).connectTimeoutMs).toBe(300);
    expect(resolveImdsConfig({ timeoutMs: 300, connectTimeoutMs: 100 }, {}).connectTimeoutMs).toBe(100);
  });

  it('lets options win over the environment', () => {
    expect(
      resolveImdsConfig(
        { timeoutMs: 200, attempts: 1 },
        { AWS_METADATA_SERVICE_TIMEOUT: '5', AWS_METADATA_SERVICE_NUM_ATTEMPTS: '9' },
      ),
    ).toMatchObject({
      timeoutMs: 200,
      attempts: 1,
      deadlineMs: 400,
    });
  });

  it.each([
    [{ AWS_METADATA_SERVICE_TIMEOUT: '0' }, 'AWS_METADATA_SERVICE_TIMEOUT'],
    [{ AWS_METADATA_SERVICE_TIMEOUT: '-1' }, 'AWS_METADATA_SERVICE_TIMEOUT'],
    [{ AWS_METADATA_SERVICE_TIMEOUT: 'soon' }, 'AWS_METADATA_SERVICE_TIMEOUT'],
    [{ AWS_METADATA_SERVICE_NUM_ATTEMPTS: '0' }, 'AWS_METADATA_SERVICE_NUM_ATTEMPTS'],
    [{ AWS_METADATA_SERVICE_NUM_ATTEMPTS: '1.5' }, 'AWS_METADATA_SERVICE_NUM_ATTEMPTS'],
  ])('refuses %o', (env, setting) => {
    expect(captureError(() => resolveImdsConfig({}, env))).toMatchObject({
      name: 'ImdsConfigError',
      setting,
    });
  });

  it.each([0, 21601, 1.5, -3])('refuses token TTL %d (bounds 1..21600)', (ttl) => {
    expect(captureError(() => resolveImdsConfig({ tokenTtlSeconds: ttl }, {}))).toMatchObject({
      setting: 'tokenTtlSeconds',
    });
  });

  it.each([1, 21600])('accepts token TTL %d', (ttl) => {
    expect(resolveImdsConfig({ tokenTtlSeconds: ttl }, {}).tokenTtlSeconds).toBe(ttl);
  });

  it('refuses zero attempts and non-positive timeouts given as options', () => {
    expect(captureError(() => resolveImdsConfig({ attempts: 0 }, {}))).toMatchObject({ setting: 'attempts' });
    expect(captureError(() => resolveImdsConfig({ timeoutMs: 0 }, {}))).toMatchObject({
      setting: 'timeoutMs',
    });
    expect(captureError(() => resolveImdsConfig({ maxBodyBytes: 0 }, {}))).toMatchObject({
      setting: 'maxBodyBytes',
    });
  });
});

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
