/**
 * The AWS SDK's own IMDS clients pointed at two listeners of one fleet emulator: each resolves
 * its own instance's region and credentials. Every endpoint is set explicitly to 127.0.1.x.
 */
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { fromInstanceMetadata } from '@smithy/credential-provider-imds';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type ImdsFleet } from '../../src/testing/index.js';
import { ENV } from '../../src/wire.js';

let fleet: ImdsFleet;
beforeAll(async () => {
  fleet = await startFleet({
    instance: { iam: { roleName: 'app-role' } },
    fleet: {
      instances: [
        {
          instance: { instanceId: 'i-0aaaaaaaaaaaaaaa1', region: 'eu-west-1' },
          listen: { host: '127.0.1.11' },
        },
        {
          instance: { instanceId: 'i-0bbbbbbbbbbbbbbb2', region: 'us-east-2' },
          listen: { host: '127.0.1.12' },
        },
      ],
    },
  });
});
afterAll(() => fleet.close());

describe('AWS SDK clients against two listeners of one fleet', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('@aws-sdk/ec2-metadata-service resolves two regions', async () => {
    const regions = await Promise.all(
      fleet.ids.map((id) =>
        new MetadataService({
          endpoint: fleet.instance(id).url,
          ec2MetadataV1Disabled: true,
          retries: 0,
          httpOptions: { timeout: 2_000 },
        }).request('/latest/meta-data/placement/region', {}),
      ),
    );
    expect(regions).toEqual(['eu-west-1', 'us-east-2']);
  });

  it('@smithy/credential-provider-imds resolves two credential sets', async () => {
    const keys: string[] = [];
    for (const id of fleet.ids) {
      const url = fleet.instance(id).url;
      expect(new URL(url).hostname).toMatch(/^127\.0\.1\.1[12]$/);
      process.env[ENV.endpoint] = url;
      process.env[ENV.v1Disabled] = 'true';
      const credentials = await fromInstanceMetadata({ timeout: 2_000, maxRetries: 0 })();
      expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
      keys.push(credentials.accessKeyId);
    }
    expect(new Set(keys).size).toBe(2);
    for (const id of fleet.ids) {
      const reads = fleet.instance(id).requests.filter((entry) => entry.path.endsWith('/app-role'));
      expect(reads.length).toBeGreaterThan(0);
    }
  });
});
