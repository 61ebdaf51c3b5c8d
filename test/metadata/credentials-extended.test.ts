import { describe, expect, it } from 'vitest';
import { configFromData } from '../../src/config/load-file.js';
import { credentialsAt } from '../../src/metadata/credentials.js';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import { inProcess, text } from '../helpers/in-process.js';

const EXTENDED = '/latest/meta-data/iam/security-credentials-extended/';
const LEGACY = '/latest/meta-data/iam/security-credentials/';

/**
 * The lookup current SDK credential providers make (smithy's `getImdsProfile` and
 * `getCredentialsFromProfile`, the Ruby and Java providers): the extended path first, the legacy
 * one on a 404. Returns the document and the paths read.
 */
function sdkLookup(get: (path: string) => { status: number; body: Uint8Array }) {
  const read: string[] = [];
  const fetchText = (path: string) => {
    read.push(path);
    const response = get(path);
    if (response.status !== 200)
      throw Object.assign(new Error(`${response.status}`), { statusCode: response.status });
    return Buffer.from(response.body).toString('utf8');
  };
  const withFallback = (suffix: string) => {
    try {
      return fetchText(EXTENDED + suffix);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      return fetchText(LEGACY + suffix);
    }
  };
  const role = withFallback('').trim();
  return { document: JSON.parse(withFallback(role)) as Record<string, string>, read };
}

describe('iam/security-credentials-extended', () => {
  it('is served by default with AccountId, the same set as the legacy path', () => {
    const { get, token } = inProcess();
    const t = token();
    const { document, read } = sdkLookup((path) => get(path, t));
    expect(read).toEqual([EXTENDED, `${EXTENDED}ec2-imds-demo-role`]);
    expect(document.AccountId).toBe(DEFAULT_INSTANCE.accountId);
    const legacy = JSON.parse(text(get(`${LEGACY}ec2-imds-demo-role`, t)));
    expect(legacy.AccountId).toBeUndefined();
    const { AccountId: _account, ...rest } = document;
    expect(rest).toEqual(legacy);
    expect(text(get('/latest/meta-data/iam/', t))).toBe(
      'info\nsecurity-credentials/\nsecurity-credentials-extended/',
    );
  });

  it('turned off, it is a 404 and the SDK path falls back to security-credentials/', () => {
    const { get, token } = inProcess({ instance: { ...DEFAULT_INSTANCE, extendedCredentials: false } });
    const t = token();
    const { document, read } = sdkLookup((path) => get(path, t));
    expect(read).toEqual([EXTENDED, LEGACY, `${EXTENDED}ec2-imds-demo-role`, `${LEGACY}ec2-imds-demo-role`]);
    expect(document.AccountId).toBeUndefined();
    expect(document.AccessKeyId).toMatch(/^ASIA/);
    expect(text(get('/latest/meta-data/iam/', t))).toBe('info\nsecurity-credentials/');
  });

  it('has no dated version: /2024-04-11/ does not list it', () => {
    const { get, token } = inProcess();
    const t = token();
    expect(text(get('/2024-04-11/meta-data/iam/', t))).toBe('info\nsecurity-credentials/');
    expect(get(`/2024-04-11/meta-data/iam/security-credentials-extended/ec2-imds-demo-role`, t).status).toBe(
      404,
    );
  });
});

describe('credential lifetimes', () => {
  const HOUR = 3_600_000;

  it('the built-in rotation: hourly sets, each living 6 h less a per-set jitter of up to 15 min, renewed long before expiry', () => {
    const rotation = DEFAULT_INSTANCE.credentialRotation;
    const lifetimes = Array.from({ length: 48 }, (_, index) => {
      const now = DEFAULT_INSTANCE.launchTime + index * HOUR;
      const set = credentialsAt(new Uint8Array(32), 'role:r', DEFAULT_INSTANCE.launchTime, rotation, now);
      expect(set.issuedAt).toBe(now);
      // The next set appears an hour later, hours before this one expires.
      expect(set.expiration - (now + HOUR)).toBeGreaterThan(5 * 60_000);
      return set.expiration - set.issuedAt;
    });
    expect(Math.min(...lifetimes)).toBeGreaterThanOrEqual(6 * HOUR - 15 * 60_000);
    expect(Math.max(...lifetimes)).toBeLessThanOrEqual(6 * HOUR);
    expect(new Set(lifetimes).size).toBeGreaterThan(10);
  });

  it('is repeatable: the same set has the same expiration in every emulator', () => {
    const at = (secret: number) =>
      credentialsAt(
        new Uint8Array(32).fill(secret),
        'role:r',
        0,
        DEFAULT_INSTANCE.credentialRotation,
        5 * HOUR,
      ).expiration;
    expect(at(1)).toBe(at(2));
  });

  it('a configured lifetime is exact unless a jitter is given; a jitter that eats the margin is refused', () => {
    const rotationOf = (credentials: Record<string, unknown>) => {
      const result = configFromData({ credentials });
      if ('problems' in result) return result.problems;
      return result.config.instance.credentialRotation;
    };
    expect(rotationOf({ rotateEvery: '15m', lifetime: '1h' })).toEqual({
      rotationSeconds: 900,
      lifetimeSeconds: 3600,
    });
    expect(rotationOf({ rotateEvery: '15m', lifetime: '1h', jitter: '5m' })).toEqual({
      rotationSeconds: 900,
      lifetimeSeconds: 3600,
      jitterSeconds: 300,
    });
    expect(rotationOf({})).toEqual(DEFAULT_INSTANCE.credentialRotation);
    expect(rotationOf({ rotateEvery: '1h', lifetime: '2h', jitter: '1h' })).toEqual([
      {
        path: ['credentials', 'jitter'],
        message:
          'lifetime less jitter (3600s) must still be longer than rotateEvery (3600s), so a new set appears before the old one expires',
      },
    ]);
  });
});
