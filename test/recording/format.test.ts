import { describe, expect, it } from 'vitest';
import type { Transport } from '../../src/client/transport.js';
import { childOfListing, childPath, compactVersionSet, inVersionSet } from '../../src/recording/format.js';
import { pacedTransport } from '../../src/recording/paced-transport.js';
import { isUnder, omittedReason } from '../../src/recording/secrets.js';

const ORDER = ['1.0', '2009-04-04', '2016-09-02', 'latest'];

describe('version sets', () => {
  it('writes the shortest form and reads it back', () => {
    const cases: [string[], unknown][] = [
      [ORDER, undefined],
      [['2016-09-02', 'latest'], { since: '2016-09-02' }],
      [['1.0', '2009-04-04'], { until: '2009-04-04' }],
      [['1.0', 'latest'], { in: ['1.0', 'latest'] }],
      [['2009-04-04'], { in: ['2009-04-04'] }],
    ];
    for (const [seen, written] of cases) {
      const set = compactVersionSet(new Set(seen), ORDER);
      expect(set).toEqual(written);
      expect(ORDER.filter((version) => inVersionSet(set, version, ORDER))).toEqual(seen);
    }
  });
});

describe('listing lines', () => {
  it('names children as the service lists them', () => {
    expect(childOfListing('/', 'meta-data')).toEqual({ segment: 'meta-data', directory: true });
    expect(childOfListing('/', 'user-data')).toEqual({ segment: 'user-data', directory: false });
    expect(childOfListing('meta-data/', 'placement/')).toEqual({ segment: 'placement', directory: true });
    expect(childOfListing('meta-data/public-keys/', '0=my-key')).toEqual({ segment: '0', directory: true });
    expect(childOfListing('meta-data/', 'meta-data')).toEqual({ segment: 'meta-data', directory: false });
    expect(childOfListing('meta-data/tags/instance/', '1=2')).toEqual({ segment: '1=2', directory: false });
    for (const bad of ['..', '../', 'a/b', '/', '.'])
      expect(childOfListing('meta-data/', bad)).toBeUndefined();
    expect(childPath('/', { segment: 'meta-data', directory: true })).toBe('meta-data/');
    expect(childPath('meta-data/', { segment: 'ami-id', directory: false })).toBe('meta-data/ami-id');
  });
});

describe('what is left out', () => {
  const policy = { includeUserData: false, redact: ['meta-data/tags/', '/meta-data/mac'] };
  it('by path', () => {
    expect(omittedReason('meta-data/iam/security-credentials/web', policy)).toBe('role credentials');
    expect(omittedReason('meta-data/iam/info', policy)).toBeUndefined();
    expect(omittedReason('meta-data/iam/security-credentials-extended/web', policy)).toBe('role credentials');
    const credentials = new TextEncoder().encode(
      '{ "Code" : "Success", "SecretAccessKey" : "x", "Token" : "y" }',
    );
    expect(omittedReason('meta-data/iam/some-future-category/web', policy, credentials)).toBe(
      'role credentials',
    );
    expect(omittedReason('meta-data/somewhere-else', policy, credentials)).toBe('identity credentials');
    expect(
      omittedReason('meta-data/iam/info', policy, new TextEncoder().encode('{ "Code" : "Success" }')),
    ).toBeUndefined();
    expect(
      omittedReason('meta-data/identity-credentials/ec2/security-credentials/ec2-instance', policy),
    ).toBe('identity credentials');
    expect(omittedReason('meta-data/identity-credentials/ec2/info', policy)).toBeUndefined();
    for (const name of ['pkcs7', 'signature', 'rsa2048', 'dsa2048'])
      expect(omittedReason(`dynamic/instance-identity/${name}`, policy)).toBe('identity signature');
    expect(omittedReason('dynamic/instance-identity/document', policy)).toBeUndefined();
    expect(omittedReason('user-data', policy)).toBe('user data');
    expect(omittedReason('user-data', { ...policy, includeUserData: true })).toBeUndefined();
    expect(omittedReason('meta-data/tags/instance/Name', policy)).toBe('redacted');
    expect(omittedReason('meta-data/mac', policy)).toBe('redacted');
    expect(omittedReason('meta-data/macaroon', policy)).toBeUndefined();
    expect(isUnder('meta-data/tags', 'meta-data/tags/')).toBe(true);
  });
});

describe('paced transport', () => {
  const answering = (statuses: number[]): Transport => {
    let index = 0;
    return async () => ({
      status: statuses[index++] ?? 200,
      headers: { 'content-type': 'text/plain' },
      body: new Uint8Array(),
    });
  };
  const request = {
    method: 'GET',
    url: 'http://127.0.0.1:9/latest/',
    headers: {},
    connectTimeoutMs: 1,
    timeoutMs: 1,
    maxBodyBytes: 1,
  } as const;

  it('spaces requests to the rate, counts them, and halves the rate on 429 and 503', async () => {
    let now = 0;
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      now += ms;
    };
    const paced = pacedTransport(answering([200, 200, 429, 200, 503]), 100, sleep, () => now);
    for (let i = 0; i < 5; i++) await paced.transport(request);
    expect(paced.stats).toEqual({ requests: 5, throttled: 2 });
    // 100/s: 10 ms apart; after the 429, 50/s (20 ms; then 51/s after a success); the 503 halves it again.
    expect(waits.map((ms) => Math.round(ms * 100) / 100)).toEqual([10, 10, 20, 20]);
    expect(paced.rate).toBeCloseTo(25.5, 5);
    await paced.transport(request);
    expect(waits.at(-1)).toBeCloseTo(1000 / 25.5, 5);
    expect(paced.contentType(request.url)).toBe('text/plain');
  });

  it('sends at once when unpaced (rate 0)', async () => {
    const sleep = async () => {
      throw new Error('an unpaced transport never sleeps');
    };
    const paced = pacedTransport(answering([429, 200]), 0, sleep, () => 0);
    await paced.transport(request);
    await paced.transport(request);
    expect(paced.stats).toEqual({ requests: 2, throttled: 1 });
  });
});
