/**
 * The AWS SDK's own IMDS clients, which nobody here wrote, against the emulator over a loopback
 * socket. Each is pointed at the emulator explicitly; none can reach a real metadata service.
 */
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { fromInstanceMetadata } from '@smithy/credential-provider-imds';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/start/start.js';
import { ENV } from '../../src/wire.js';

let imds: RunningEmulator;
beforeAll(async () => {
  imds = await startEmulator({ host: '127.0.0.1', port: 0 });
  expect(new URL(imds.url).hostname).toBe('127.0.0.1');
});
afterAll(() => imds.close());
afterEach(() => imds.emulator.setHttpTokens('required'));

const service = (ec2MetadataV1Disabled: boolean) =>
  new MetadataService({
    endpoint: imds.url,
    ec2MetadataV1Disabled,
    retries: 0,
    httpOptions: { timeout: 2_000 },
  });

describe('@aws-sdk/ec2-metadata-service', () => {
  it('reads the instance id and the listing with IMDSv2 required', async () => {
    expect(await service(true).request('/latest/meta-data/instance-id', {})).toBe('i-0410f3c9b2d5e8a71');
    const listing = await service(false).request('/latest/meta-data/', {});
    expect(listing.split('\n')).toHaveLength(26);
    expect(imds.emulator.requests.entries().some((entry) => entry.method === 'PUT')).toBe(true);
  });

  it('with v1 enabled and tokens optional, still uses a token first, and reads the same values', async () => {
    imds.emulator.setHttpTokens('optional');
    expect(await service(false).request('/latest/meta-data/placement/region', {})).toBe('ap-northeast-1');
  });
});

describe('@smithy/credential-provider-imds', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('reads role credentials with AWS_EC2_METADATA_V1_DISABLED=true', async () => {
    process.env[ENV.endpoint] = imds.url;
    process.env[ENV.v1Disabled] = 'true';
    const credentials = await fromInstanceMetadata({ timeout: 2_000, maxRetries: 0 })();
    expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(credentials.secretAccessKey).toHaveLength(40);
    expect(credentials.sessionToken).toBeTruthy();
    expect(credentials.expiration!.getTime()).toBeGreaterThan(Date.now());
    const v2Reads = imds.emulator.requests.entries().filter((entry) => entry.access === 'v2');
    expect(v2Reads.some((entry) => entry.path.endsWith('/security-credentials/ec2-imds-demo-role'))).toBe(
      true,
    );
  });
});
