import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { ImdsNotFoundError } from '../../src/client/errors.js';
import { CLIENT_VERSION, USER_AGENT } from '../../src/client/user-agent.js';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import type { InstanceDescription } from '../../src/metadata/instance.js';
import type { RunningEmulator } from '../../src/start/start.js';
import { useNetworkGuard } from './helpers/network-guard.js';
import { clientFor, emulatorOn, tokenPuts } from './helpers/peers.js';

useNetworkGuard();

const NOW = Date.UTC(2024, 1, 27, 13, 6, 6);
const USER_DATA = new Uint8Array([0x23, 0x21, 0x2f, 0x62, 0x69, 0x6e, 0x2f, 0x73, 0x68, 0x0a, 0xff, 0x00]);
const BUSY_INSTANCE: InstanceDescription = {
  ...DEFAULT_INSTANCE,
  instanceLifeCycle: 'spot',
  tags: { Name: 'web-1', team: 'platform' },
  userData: USER_DATA,
  spotNotice: { action: 'terminate', time: Date.UTC(2024, 1, 27, 13, 8, 6) },
  rebalanceNoticeTime: Date.UTC(2024, 1, 27, 13, 0, 0),
  targetLifecycleState: 'Terminated',
  maintenanceEvents: [
    {
      eventId: 'instance-event-0d59937288b749b32',
      code: 'system-reboot',
      description: 'scheduled reboot',
      state: 'active',
      notBefore: Date.UTC(2024, 2, 1, 9, 0, 0),
      notAfter: Date.UTC(2024, 2, 1, 11, 0, 0),
    },
  ],
};

describe('accessors on the seed instance (HttpTokens=required)', () => {
  let imds: RunningEmulator;
  beforeAll(async () => {
    imds = await emulatorOn({ clock: new ManualClock(NOW) });
  });
  afterAll(() => imds.close());

  it('instanceId, region, availabilityZone, instanceType', async () => {
    const client = clientFor(imds.url);
    expect(await client.instanceId()).toBe('i-0410f3c9b2d5e8a71');
    expect(await client.region()).toBe('ap-northeast-1');
    expect(await client.availabilityZone()).toBe('ap-northeast-1a');
    expect(await client.instanceType()).toBe('t3.micro');
    expect(client.lastV1Fallback).toBeUndefined();
  });

  it('every request, token PUT and GET, carries User-Agent ec2-imds/<package version>', async () => {
    const before = imds.emulator.requests.entries().length;
    await clientFor(imds.url).instanceId();
    const sent = imds.emulator.requests.entries().slice(before);
    expect(sent.map((entry) => entry.method)).toEqual(['PUT', 'GET']);
    expect(sent.map((entry) => entry.userAgent)).toEqual([USER_AGENT, USER_AGENT]);
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(USER_AGENT).toBe(`ec2-imds/${manifest.version}`);
    expect(CLIENT_VERSION).toBe(manifest.version);
  });

  it('get and list', async () => {
    const client = clientFor(imds.url);
    expect(await client.get('/latest/meta-data/ami-id')).toBe('ami-0d52744d6551d851e');
    const listing = await client.list();
    expect(listing).toHaveLength(26);
    expect(listing).toContain('placement/');
    expect(listing).toContain('instance-id');
    expect(await client.list('placement')).toContain('region');
    expect(await client.list('/latest/dynamic/')).toEqual(['fws/', 'instance-identity/']);
  });

  it('identityDocument agrees with meta-data', async () => {
    const client = clientFor(imds.url);
    const document = await client.identityDocument();
    expect(document).toMatchObject({
      instanceId: 'i-0410f3c9b2d5e8a71',
      region: 'ap-northeast-1',
      availabilityZone: 'ap-northeast-1a',
      instanceType: 't3.micro',
      accountId: '123456789012',
      version: '2017-09-30',
    });
    expect(document.pendingTime).toMatch(/^2024-02-27T12:06:18Z$/);
  });

  it('iamCredentials parses the role credentials with a Date expiry', async () => {
    const client = clientFor(imds.url);
    const credentials = await client.iamCredentials();
    expect(credentials.roleName).toBe('ec2-imds-demo-role');
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(credentials.secretAccessKey.length).toBeGreaterThan(20);
    expect(credentials.token.length).toBeGreaterThan(20);
    expect(credentials.expiration).toBeInstanceOf(Date);
    expect(credentials.expiration.getTime()).toBeGreaterThan(NOW);
    expect(credentials.type).toBe('AWS-HMAC');
    expect(await client.iamCredentials('ec2-imds-demo-role')).toEqual(credentials);
    await expect(client.iamCredentials('no-such-role')).rejects.toBeInstanceOf(ImdsNotFoundError);
  });

  it('absent things are null (user data, tags, spot, rebalance, lifecycle); no events is an empty array', async () => {
    const client = clientFor(imds.url);
    expect(await client.userData()).toBeNull();
    expect(await client.tags()).toBeNull();
    expect(await client.spotInstanceAction()).toBeNull();
    expect(await client.rebalanceRecommendation()).toBeNull();
    expect(await client.targetLifecycleState()).toBeNull();
    expect(await client.scheduledEvents()).toEqual([]);
  });

  it('a missing path is an ImdsNotFoundError with code, status and path', async () => {
    const client = clientFor(imds.url);
    const error = await client.get('no-such-thing').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ImdsNotFoundError);
    expect(error).toMatchObject({
      name: 'ImdsNotFoundError',
      code: 'NOT_FOUND',
      status: 404,
      path: '/latest/meta-data/no-such-thing',
      attempts: 1,
    });
  });

  it('one client makes one token PUT for all these reads', async () => {
    imds.emulator.requests.clear();
    const client = clientFor(imds.url);
    await client.instanceId();
    await client.region();
    await client.identityDocument();
    await client.iamCredentials();
    expect(tokenPuts(imds)).toBe(1);
  });
});

describe('accessors on a busy spot instance', () => {
  let imds: RunningEmulator;
  beforeAll(async () => {
    imds = await emulatorOn({ clock: new ManualClock(NOW), instance: BUSY_INSTANCE });
  });
  afterAll(() => imds.close());

  it('userData is the bytes, exactly', async () => {
    const bytes = await clientFor(imds.url).userData();
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...(bytes ?? [])]).toEqual([...USER_DATA]);
  });

  it('tags', async () => {
    expect(await clientFor(imds.url).tags()).toEqual({ Name: 'web-1', team: 'platform' });
  });

  it('spotInstanceAction', async () => {
    expect(await clientFor(imds.url).spotInstanceAction()).toEqual({
      action: 'terminate',
      time: new Date(Date.UTC(2024, 1, 27, 13, 8, 6)),
    });
  });

  it('rebalanceRecommendation', async () => {
    expect(await clientFor(imds.url).rebalanceRecommendation()).toEqual({
      noticeTime: new Date(Date.UTC(2024, 1, 27, 13, 0, 0)),
    });
  });

  it('scheduledEvents', async () => {
    expect(await clientFor(imds.url).scheduledEvents()).toEqual([
      {
        code: 'system-reboot',
        description: 'scheduled reboot',
        eventId: 'instance-event-0d59937288b749b32',
        state: 'active',
        notBefore: new Date(Date.UTC(2024, 2, 1, 9, 0, 0)),
        notAfter: new Date(Date.UTC(2024, 2, 1, 11, 0, 0)),
      },
    ]);
  });

  it('targetLifecycleState', async () => {
    expect(await clientFor(imds.url).targetLifecycleState()).toBe('Terminated');
  });

  it('token() returns the session token the reads use', async () => {
    const client = clientFor(imds.url);
    const token = await client.token();
    expect(token).toMatch(/^[A-Za-z0-9_-]{54}==$/);
    await client.instanceId();
    const read = client.transport.requests.find((request) => request.method === 'GET');
    expect(read?.headers['x-aws-ec2-metadata-token']).toBe(token);
  });
});
