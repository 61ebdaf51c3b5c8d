/**
 * A real instance's crawl (cloud-init's 2018-09-24 capture, see fixtures/README.md) served with
 * `startImds({ from })` over loopback: a cloud-init-shaped crawl and the AWS SDK read it unchanged,
 * secrets are the emulator's own, and scenarios, `set`/`remove` and the control API work on it.
 */
import { fileURLToPath } from 'node:url';
import { createVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { fromInstanceMetadata } from '@smithy/credential-provider-imds';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { ImdsClient } from '../../src/client/client.js';
import { readRecordingFile } from '../../src/recording/read.js';
import { replayOf } from '../../src/recording/replay.js';
import { Emulator } from '../../src/server/emulator.js';
import { isNoResponse, makeRequest } from '../../src/server/exchange.js';
import { formatRecording } from '../../src/recording/write.js';
import { recordInProcess } from './helpers.js';
import { ConfigError, startImds, type Imds } from '../../src/testing/index.js';

const FIXTURE = fileURLToPath(new URL('fixtures/cloud-init-2018-09-24.yaml', import.meta.url));
const TTL = { 'X-aws-ec2-metadata-token-ttl-seconds': '60' };

/** A recording file of `text` in a fresh temporary folder; returns its path. */
function writeRecording(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'imds-recording-')), name);
  writeFileSync(file, text);
  return file;
}

async function reader(imds: Imds) {
  const token = await (await fetch(`${imds.url}/latest/api/token`, { method: 'PUT', headers: TTL })).text();
  return async (path: string) => {
    const response = await fetch(`${imds.url}${path}`, { headers: { 'X-aws-ec2-metadata-token': token } });
    return {
      status: response.status,
      body: await response.text(),
      type: response.headers.get('content-type'),
    };
  };
}

type Materialized = { [key: string]: Materialized | string | string[] | Record<string, unknown> };

/**
 * What cloud-init's `get_instance_metadata` builds from a crawl: directories as objects, JSON
 * leaves parsed, multi-line leaves split into lists, `public-keys/0=name` as `{ name: [lines] }`.
 */
async function cloudInitCrawl(read: Awaited<ReturnType<typeof reader>>, base: string): Promise<Materialized> {
  const listing = await read(base);
  expect(listing.status, base).toBe(200);
  const out: Materialized = {};
  for (const entry of listing.body.split('\n').filter((line) => line !== '')) {
    if (base.endsWith('/public-keys/')) {
      const [index, name] = entry.split('=') as [string, string];
      const key = await read(`${base}${index}/openssh-key`);
      out[name] = key.body.split('\n');
      continue;
    }
    if (entry.endsWith('/')) {
      out[entry.slice(0, -1)] = await cloudInitCrawl(read, `${base}${entry}`);
      continue;
    }
    const leaf = await read(`${base}${entry}`);
    expect(leaf.status, `${base}${entry}`).toBe(200);
    out[entry] = leaf.body.startsWith('{')
      ? (JSON.parse(leaf.body) as Record<string, unknown>)
      : leaf.body.includes('\n')
        ? leaf.body.split('\n')
        : leaf.body;
  }
  return out;
}

/** cloud-init's SECONDARY_IP_METADATA_2018_09_24, with its interface, as cloud-init parsed the real crawl. */
const CLOUD_INIT_VIEW = {
  'ami-id': 'ami-0986c2ac728528ac2',
  'ami-launch-index': '0',
  'ami-manifest-path': '(unknown)',
  'block-device-mapping': { ami: '/dev/sda1', root: '/dev/sda1' },
  events: { maintenance: { history: '[]', scheduled: '[]' } },
  hostname: 'ip-172-31-44-13.us-east-2.compute.internal',
  'instance-action': 'none',
  'instance-id': 'i-069e01e8cc43732f8',
  'instance-type': 't2.micro',
  'local-hostname': 'ip-172-31-44-13.us-east-2.compute.internal',
  'local-ipv4': '172.31.44.13',
  mac: '0a:07:84:3d:6e:38',
  metrics: { vhostmd: '<?xml version="1.0" encoding="UTF-8"?>' },
  network: {
    interfaces: {
      macs: {
        '0a:07:84:3d:6e:38': {
          'device-number': '0',
          'interface-id': 'eni-0d6335689899ce9cc',
          'ipv4-associations': { '18.218.219.181': '172.31.44.13' },
          ipv6s: [
            '2600:1f16:292:100:c187:593c:4349:136',
            '2600:1f16:292:100:f153:12a3:c37c:11f9',
            '2600:1f16:292:100:f152:2222:3333:4444',
          ],
          'local-hostname': 'ip-172-31-44-13.us-east-2.compute.internal',
          'local-ipv4s': ['172.31.44.13', '172.31.45.70'],
          mac: '0a:07:84:3d:6e:38',
          'owner-id': '329910648901',
          'public-hostname': 'ec2-18-218-219-181.us-east-2.compute.amazonaws.com',
          'public-ipv4s': '18.218.219.181',
          'security-group-ids': 'sg-0c387755222ba8d2e',
          'security-groups': 'launch-wizard-4',
          'subnet-id': 'subnet-9d7ba0d1',
          'subnet-ipv4-cidr-block': '172.31.32.0/20',
          'subnet-ipv6-cidr-blocks': '2600:1f16:292:100::/64',
          'vpc-id': 'vpc-a07f62c8',
          'vpc-ipv4-cidr-block': '172.31.0.0/16',
          'vpc-ipv4-cidr-blocks': '172.31.0.0/16',
          'vpc-ipv6-cidr-blocks': '2600:1f16:292:100::/56',
        },
      },
    },
  },
  placement: { 'availability-zone': 'us-east-2c' },
  profile: 'default-hvm',
  'public-hostname': 'ec2-18-218-219-181.us-east-2.compute.amazonaws.com',
  'public-ipv4': '18.218.219.181',
  'public-keys': { 'yourkeyname,e': ['ssh-rsa AAAAW...DZ yourkeyname'] },
  'reservation-id': 'r-09b4917135cdd33be',
  'security-groups': 'launch-wizard-4',
  services: { domain: 'amazonaws.com', partition: 'aws' },
};

describe('serving a real instance recording', () => {
  it('a cloud-init-shaped crawl at 2018-09-24 reads what cloud-init read on the instance', async () => {
    await using imds = await startImds({ from: FIXTURE });
    const read = await reader(imds);
    const crawled = await cloudInitCrawl(read, '/2018-09-24/meta-data/');
    const identity = crawled['identity-credentials'] as { ec2: Record<string, Materialized> };
    expect(identity.ec2.info).toEqual({
      Code: 'Success',
      LastUpdated: '2019-07-06T14:22:56Z',
      AccountId: '329910648901',
    });
    const generated = identity.ec2['security-credentials'] as Record<string, Record<string, string>>;
    expect(Object.keys(generated['ec2-instance'] ?? {})).toEqual([
      'Code',
      'LastUpdated',
      'Type',
      'AccessKeyId',
      'SecretAccessKey',
      'Token',
      'Expiration',
    ]);
    const { 'identity-credentials': _identity, ...rest } = crawled;
    expect(rest).toEqual(CLOUD_INIT_VIEW);
    expect((await read('/')).body).toBe('2018-09-24\nlatest');
    expect((await read('/2016-09-02/meta-data/')).status).toBe(404);
    expect((await fetch(`${imds.url}/latest/meta-data/`)).status).toBe(401);
  });

  it("the AWS SDK MetadataService and this client read it; the signature is the emulator's, over the recorded document", async () => {
    await using imds = await startImds({ from: FIXTURE });
    const service = new MetadataService({
      endpoint: imds.url,
      ec2MetadataV1Disabled: true,
      retries: 0,
      httpOptions: { timeout: 2_000 },
    });
    expect(await service.request('/latest/meta-data/instance-id', {})).toBe('i-069e01e8cc43732f8');
    expect(
      await service.request('/latest/meta-data/network/interfaces/macs/0a:07:84:3d:6e:38/local-ipv4s', {}),
    ).toBe('172.31.44.13\n172.31.45.70');
    const client = new ImdsClient({ endpoint: imds.url, env: {} });
    expect(await client.instanceId()).toBe('i-069e01e8cc43732f8');
    expect(await client.list('public-keys/')).toEqual(['0=yourkeyname,e']);
    const document = await client.identityDocument();
    expect(document.instanceId).toBe('my-identity-id');
    const documentText = await client.get('/latest/dynamic/instance-identity/document');
    const signature = await client.get('/latest/dynamic/instance-identity/signature');
    const verifier = createVerify('RSA-SHA256');
    verifier.update(documentText);
    expect(verifier.verify(imds.emulator.signer.certificateFor('signature'), signature, 'base64')).toBe(true);
    expect((await client.list('/latest/dynamic/instance-identity/')).sort()).toEqual([
      'document',
      'pkcs7',
      'signature',
    ]);
  });

  it('scenarios, set and remove, and reset work on a replayed instance', async () => {
    await using imds = await startImds({ from: FIXTURE, set: { 'meta-data/tags/instance/Name': 'web-1' } });
    const read = await reader(imds);
    expect((await read('/latest/meta-data/tags/instance/Name')).body).toBe('web-1');
    expect((await read('/latest/meta-data/')).body.split('\n')).toContain('tags/');
    expect((await read('/latest/meta-data/spot/instance-action')).status).toBe(404);
    imds.spot.interrupt({ action: 'stop' });
    const notice = await read('/latest/meta-data/spot/instance-action');
    expect(notice.status).toBe(200);
    expect(JSON.parse(notice.body)).toMatchObject({ action: 'stop' });
    imds.remove('meta-data/public-ipv4');
    expect((await read('/latest/meta-data/public-ipv4')).status).toBe(404);
    expect((await read('/latest/meta-data/')).body.split('\n')).not.toContain('public-ipv4');
    expect((await read('/latest/meta-data/instance-id')).body).toBe('i-069e01e8cc43732f8');
    imds.reset();
    expect((await read('/latest/meta-data/spot/instance-action')).status).toBe(404);
    expect((await read('/latest/meta-data/public-ipv4')).body).toBe('18.218.219.181');
    imds.setHttpEndpoint('disabled');
    expect((await read('/latest/meta-data/instance-id')).status).toBe(403);
  });

  it('serves a version this emulator does not know, as recorded', async () => {
    const file = writeRecording(
      'future.yaml',
      `format: ec2-imds-recording/1
httpTokens: optional
versions: ["2031-05-05", latest]
tree:
  /: [meta-data]
  meta-data/: [instance-id, brand-new-category/]
  meta-data/instance-id: i-0123456789abcdef0
  meta-data/brand-new-category/: [value]
  meta-data/brand-new-category/value: { text: '{"a":1}', contentType: application/json }
`,
    );
    await using imds = await startImds({ from: file });
    const response = await fetch(`${imds.url}/2031-05-05/meta-data/brand-new-category/value`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.text()).toBe('{"a":1}');
    expect(await (await fetch(`${imds.url}/`)).text()).toBe('2031-05-05\nlatest');
    expect(await (await fetch(`${imds.url}/latest/meta-data/`)).text()).toBe(
      'instance-id\nbrand-new-category/',
    );
  });

  it('tags disabled in the metadata options hide recorded tags, as the service does; set still applies', async () => {
    const file = writeRecording(
      'tagged.yaml',
      `format: ec2-imds-recording/1
httpTokens: optional
versions: [latest]
tree:
  /: [meta-data]
  meta-data/: [instance-id, tags/]
  meta-data/instance-id: i-0123456789abcdef0
  meta-data/tags/: [instance/]
  meta-data/tags/instance/: [Name]
  meta-data/tags/instance/Name: web-1
`,
    );
    await using recorded = await startImds({ from: file });
    const asRecorded = await reader(recorded);
    expect((await asRecorded('/latest/meta-data/tags/instance/Name')).body).toBe('web-1');
    const disabled = { metadataOptions: { instanceMetadataTags: 'disabled' as const } };
    await using hidden = await startImds({ from: file, instance: disabled });
    const read = await reader(hidden);
    expect((await read('/latest/meta-data/tags/instance/Name')).status).toBe(404);
    expect((await read('/latest/meta-data/tags/instance')).status).toBe(404);
    expect((await read('/latest/meta-data/')).body).toBe('instance-id');
    hidden.set('meta-data/tags/instance/Team', 'storage');
    expect((await read('/latest/meta-data/tags/instance/Team')).body).toBe('storage');
    expect((await read('/latest/meta-data/tags/instance/Name')).status).toBe(404);
  });

  it('refuses instance fields with from, and a bad recording, as configuration errors', async () => {
    await expect(startImds({ from: FIXTURE, instance: { instanceType: 'm7g.large' } })).rejects.toThrow(
      'startImds: instance.instanceType: describes a built instance and cannot be combined with from',
    );
    await expect(
      startImds({
        from: FIXTURE,
        instance: { metadataOptions: { httpPutResponseHopLimit: 2 }, instanceType: 'm7g.large' },
      }),
    ).rejects.toThrow('startImds: instance.instanceType: describes a built instance');
    const file = writeRecording(
      'bad.yaml',
      'format: ec2-imds-recording/1\nversions: [latest]\ntree:\n  /: [meta-data]\n',
    );
    const error = await startImds({ from: file }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      `${file}:4:3: tree["/"]: lists "meta-data" but the tree has no entry "meta-data/" (is the file cut off?)`,
    );
  });
});

describe('one replay, two emulators', () => {
  it('each serves its own credentials', () => {
    const replay = replayOf(readRecordingFile(FIXTURE));
    const clock = new ManualClock(Date.UTC(2024, 0, 1));
    const emulators = [0, 1].map(
      () =>
        new Emulator({ clock, instance: replay.instance, treeSource: replay.source, httpTokens: 'optional' }),
    );
    const path = '/latest/meta-data/identity-credentials/ec2/security-credentials/ec2-instance';
    const [a, b] = emulators.map((emulator) => {
      const outcome = emulator.handle(makeRequest('GET', path));
      if (isNoResponse(outcome)) throw new Error('no response');
      expect(outcome.status).toBe(200);
      return JSON.parse(Buffer.from(outcome.body).toString()) as { SecretAccessKey: string };
    });
    expect(a?.SecretAccessKey).not.toBe(b?.SecretAccessKey);
  });
});

describe('a recorded instance with a role', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('@smithy/credential-provider-imds gets generated credentials for the recorded role, and they rotate', async () => {
    const original = new Emulator({ clock: new ManualClock(Date.UTC(2024, 1, 27, 13, 6, 6)) });
    const { recording } = await recordInProcess(original, { versions: ['latest'] });
    const file = writeRecording('role.yaml', formatRecording(recording, 'yaml'));
    expect(readFileSync(file, 'utf8')).not.toMatch(/ASIA[A-Z0-9]{16}|"SecretAccessKey" :/);

    await using imds = await startImds({ from: file });
    process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = imds.url;
    process.env.AWS_EC2_METADATA_V1_DISABLED = 'true';
    const first = await fromInstanceMetadata({ timeout: 2_000, maxRetries: 0 })();
    expect(first.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(first.expiration!.getTime()).toBeGreaterThan(imds.clock.now());
    const reads = imds.requests.filter((entry) => entry.path.includes('/security-credentials/'));
    expect(reads.some((entry) => entry.path.endsWith('/security-credentials/ec2-imds-demo-role'))).toBe(true);
    imds.rotateCredentials();
    const second = await fromInstanceMetadata({ timeout: 2_000, maxRetries: 0 })();
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
  });
});

describe('a path the instance listed but answered 404 for', () => {
  it('stays in its listing, in its recorded place, and answers 404, as on the instance', async () => {
    const recorded = readRecordingFile(FIXTURE);
    const metaData = recorded.entries.find(
      (entry): entry is Extract<typeof entry, { kind: 'dir' }> =>
        entry.kind === 'dir' && entry.path === 'meta-data/',
    );
    if (!metaData) throw new Error('the fixture has no meta-data/ listing');
    const listing = [...metaData.listing.slice(0, 2), 'listed-but-gone', ...metaData.listing.slice(2)];
    const recording = {
      ...recorded,
      entries: [
        ...recorded.entries.map((entry) => (entry === metaData ? { ...metaData, listing } : entry)),
        { kind: 'missing' as const, path: 'meta-data/listed-but-gone', versions: metaData.versions },
      ],
    };
    const replay = replayOf(recording);
    const emulator = new Emulator({
      instance: replay.instance,
      treeSource: replay.source,
      httpTokens: 'optional',
    });
    const get = (path: string) => {
      const outcome = emulator.handle(makeRequest('GET', path));
      if (isNoResponse(outcome)) throw new Error('no response');
      return { status: outcome.status, body: Buffer.from(outcome.body).toString() };
    };
    const served = get('/latest/meta-data/');
    expect(served.status).toBe(200);
    expect(served.body.split('\n')).toEqual(listing);
    expect(get('/latest/meta-data/listed-but-gone').status).toBe(404);
    expect(get(`/latest/meta-data/${listing[0]}`).status).toBe(200);
    // Recorded again, the replay gives the same entry back.
    const { recording: again } = await recordInProcess(emulator);
    expect(again.entries).toContainEqual(
      expect.objectContaining({ kind: 'missing', path: 'meta-data/listed-but-gone' }),
    );
  });
});
