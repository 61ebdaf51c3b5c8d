import { fromInstanceMetadata } from '@smithy/credential-provider-imds';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import { ENV } from '../../src/wire.js';
import { serveOnLoopback, T0, type Served } from './http.js';

let served: Served | undefined;
afterEach(() => served?.close());

const ROLE = '/latest/meta-data/iam/security-credentials/ec2-imds-demo-role';
const IDENTITY = '/latest/meta-data/identity-credentials/ec2/security-credentials/ec2-instance';
interface Credentials {
  Code: string;
  LastUpdated: string;
  Type: string;
  AccessKeyId: string;
  SecretAccessKey: string;
  Token: string;
  Expiration: string;
}
const read = async (s: Served, path: string) => JSON.parse((await s.get(path)).body) as Credentials;

describe('rotating credentials', () => {
  it('each set has an Expiration; a new set appears well before the old one expires', async () => {
    // Sets every 15 minutes from launch, each valid an hour.
    served = await serveOnLoopback({
      instance: { ...DEFAULT_INSTANCE, credentialRotation: { rotationSeconds: 900, lifetimeSeconds: 3600 } },
    });
    const first = await read(served, ROLE);
    const issued = Date.parse(first.LastUpdated);
    expect(T0 - issued).toBeGreaterThanOrEqual(0);
    expect(T0 - issued).toBeLessThan(900_000);
    expect(Date.parse(first.Expiration)).toBe(issued + 3_600_000);

    served.clock.set(issued + 900_000 - 1);
    expect((await read(served, ROLE)).AccessKeyId).toBe(first.AccessKeyId);
    served.clock.set(issued + 900_000);
    const second = await read(served, ROLE);
    expect(second.AccessKeyId).not.toBe(first.AccessKeyId);
    expect(second.SecretAccessKey).not.toBe(first.SecretAccessKey);
    expect(Date.parse(second.LastUpdated)).toBe(issued + 900_000);
    // The old set still had 45 minutes: more than the five EC2 promises.
    expect(Date.parse(first.Expiration) - served.clock.now()).toBe(45 * 60_000);
  });

  it('the identity credentials rotate likewise, with their own keys', async () => {
    served = await serveOnLoopback({
      instance: { ...DEFAULT_INSTANCE, credentialRotation: { rotationSeconds: 600, lifetimeSeconds: 1800 } },
    });
    const role = await read(served, ROLE);
    const identity = await read(served, IDENTITY);
    expect(identity.AccessKeyId).not.toBe(role.AccessKeyId);
    expect(identity.Expiration).toBe(role.Expiration);
    served.clock.advance(600_000);
    const next = await read(served, IDENTITY);
    expect(next.AccessKeyId).not.toBe(identity.AccessKeyId);
    expect(Date.parse(next.Expiration)).toBeGreaterThan(Date.parse(identity.Expiration));
  });

  it('an early rotation issues a new set at its moment and restarts the period from there', async () => {
    served = await serveOnLoopback({
      instance: {
        ...DEFAULT_INSTANCE,
        credentialRotation: { rotationSeconds: 3600, lifetimeSeconds: 6 * 3600 },
      },
      scenarios: [{ type: 'credential-rotation', when: { after: 120_000 } }],
    });
    const before = await read(served, ROLE);
    served.clock.advance(119_000);
    expect((await read(served, ROLE)).AccessKeyId).toBe(before.AccessKeyId);
    served.clock.advance(1_000);
    const rotated = await read(served, ROLE);
    expect(rotated.AccessKeyId).not.toBe(before.AccessKeyId);
    expect(Date.parse(rotated.LastUpdated)).toBe(T0 + 120_000);
    expect(Date.parse(rotated.Expiration)).toBe(T0 + 120_000 + 6 * 3_600_000);
    expect((await read(served, IDENTITY)).LastUpdated).toBe(rotated.LastUpdated);
    served.clock.advance(3_600_000);
    const regular = await read(served, ROLE);
    expect(Date.parse(regular.LastUpdated)).toBe(T0 + 120_000 + 3_600_000);
    expect(regular.AccessKeyId).not.toBe(rotated.AccessKeyId);
  });

  it('the AWS SDK credential provider reads the new keys after a rotation', async () => {
    served = await serveOnLoopback({
      instance: {
        ...DEFAULT_INSTANCE,
        credentialRotation: { rotationSeconds: 3600, lifetimeSeconds: 6 * 3600 },
      },
    });
    // The SDK compares Expiration with the real clock, so the emulator's clock starts at real time here.
    served.clock.set(Date.now());
    const saved = { ...process.env };
    try {
      process.env[ENV.endpoint] = served.url;
      process.env[ENV.v1Disabled] = 'true';
      const first = await fromInstanceMetadata({ timeout: 2_000, maxRetries: 0 })();
      served.emulator.timeline.add({ type: 'credential-rotation' }, served.clock.now());
      const second = await fromInstanceMetadata({ timeout: 2_000, maxRetries: 0 })();
      expect(first.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
      expect(second.accessKeyId).not.toBe(first.accessKeyId);
      expect(second.expiration!.getTime()).toBeGreaterThan(Date.now() + 5 * 3_600_000);
    } finally {
      process.env = saved;
    }
  });
});
