/**
 * A fleet on loopback sockets: callers at several source addresses and on several listeners each
 * read their own instance; tokens are bound to the instance that issued them; a scenario aimed at
 * one instance is seen only there. Every request goes to 127.0.0.0/8.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type ImdsFleet } from '../../src/testing/index.js';
import { exchange, read, tokenFrom } from './loopback-get.js';

const SOURCES = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];

describe('a fleet routed by source address', () => {
  let fleet: ImdsFleet;
  beforeAll(async () => {
    fleet = await startFleet({
      instance: { iam: { roleName: 'node-role' } },
      fleet: { template: { count: 3, sources: '127.0.0.2' } },
    });
  });
  afterAll(() => fleet.close());

  it('derives three instances with consecutive ids, addresses and hostnames', () => {
    expect(fleet.ids).toEqual(['i-0410f3c9b2d5e8a71', 'i-0410f3c9b2d5e8a72', 'i-0410f3c9b2d5e8a73']);
    const members = fleet.fleet.members;
    expect(members.map((member) => member.instance.networkInterfaces[0]?.localIpv4s[0])).toEqual([
      '172.31.38.15',
      '172.31.38.16',
      '172.31.38.17',
    ]);
    expect(members.map((member) => member.instance.hostname)).toEqual([
      'ip-172-31-38-15.ap-northeast-1.compute.internal',
      'ip-172-31-38-16.ap-northeast-1.compute.internal',
      'ip-172-31-38-17.ap-northeast-1.compute.internal',
    ]);
    const enis = new Set(members.map((member) => member.instance.networkInterfaces[0]?.interfaceId));
    expect(enis.size).toBe(3);
    expect(members.map((member) => member.sources)).toEqual(SOURCES.map((source) => [source]));
  });

  it('each caller reads its own instance id, identity document and credentials', async () => {
    const seen = await Promise.all(
      SOURCES.map(async (from) => {
        const id = await read(fleet.url, '/latest/meta-data/instance-id', from);
        const document = await read(fleet.url, '/latest/dynamic/instance-identity/document', from);
        const credentials = await read(
          fleet.url,
          '/latest/meta-data/iam/security-credentials/node-role',
          from,
        );
        return {
          id: id.body,
          document: JSON.parse(document.body) as { instanceId: string; privateIp: string },
          accessKeyId: (JSON.parse(credentials.body) as { AccessKeyId: string }).AccessKeyId,
        };
      }),
    );
    expect(seen.map((each) => each.id)).toEqual(fleet.ids);
    expect(seen.map((each) => each.document.instanceId)).toEqual(fleet.ids);
    expect(seen.map((each) => each.document.privateIp)).toEqual([
      '172.31.38.15',
      '172.31.38.16',
      '172.31.38.17',
    ]);
    expect(new Set(seen.map((each) => each.accessKeyId)).size).toBe(3);
  });

  it('refuses a token from one instance at another (401), and accepts it at its own', async () => {
    const token = await tokenFrom(fleet.url, '127.0.0.2');
    const headers = { 'x-aws-ec2-metadata-token': token };
    const own = await exchange(fleet.url, '/latest/meta-data/instance-id', { from: '127.0.0.2', headers });
    const other = await exchange(fleet.url, '/latest/meta-data/instance-id', { from: '127.0.0.3', headers });
    expect(own).toEqual({ status: 200, body: fleet.ids[0] });
    expect(other.status).toBe(401);
  });

  it('shows a scenario aimed at one instance only there', async () => {
    const target = fleet.ids[1] as string;
    fleet.trigger([target], { type: 'spot-interruption', action: 'stop' });
    const answers = await Promise.all(
      SOURCES.map((from) => read(fleet.url, '/latest/meta-data/spot/instance-action', from)),
    );
    expect(answers.map((answer) => answer.status)).toEqual([404, 200, 404]);
    expect(JSON.parse(answers[1]?.body ?? '{}')).toMatchObject({ action: 'stop' });
  });

  it('logs which instance answered each request', async () => {
    fleet.fleet.requests.clear();
    await read(fleet.url, '/latest/meta-data/ami-id', '127.0.0.4');
    const logged = fleet.requests;
    expect(logged.map((entry) => [entry.instance, entry.method, entry.peer])).toEqual([
      [fleet.ids[2], 'PUT', '127.0.0.4'],
      [fleet.ids[2], 'GET', '127.0.0.4'],
    ]);
    expect(fleet.instance(fleet.ids[2] as string).requests.at(-1)?.path).toBe('/latest/meta-data/ami-id');
  });

  it('refuses a caller that matches no instance with a 403 (the default), and logs it with no instance', async () => {
    fleet.fleet.requests.clear();
    const answer = await exchange(fleet.url, '/latest/api/token', {
      from: '127.0.0.9',
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
    });
    expect(answer.status).toBe(403);
    expect(fleet.requests.map((entry) => [entry.instance, entry.status])).toEqual([[null, 403]]);
  });

  it('routes by the header when it is present, whatever the source', async () => {
    const headers = { 'x-imds-instance': fleet.ids[2] as string };
    const answer = await read(fleet.url, '/latest/meta-data/instance-id', '127.0.0.2', headers);
    expect(answer.body).toBe(fleet.ids[2]);
    const unknown = await exchange(fleet.url, '/latest/meta-data/instance-id', {
      from: '127.0.0.2',
      headers: { 'x-imds-instance': 'i-00000000000000000' },
    });
    expect(unknown.status).toBe(403);
  });
});

describe('a fleet with a listener per instance', () => {
  let fleet: ImdsFleet;
  beforeAll(async () => {
    fleet = await startFleet({
      fleet: {
        instances: [
          {
            instance: { instanceId: 'i-0aaaaaaaaaaaaaaa1', region: 'eu-west-1' },
            listen: { host: '127.0.1.1' },
          },
          {
            instance: { instanceId: 'i-0bbbbbbbbbbbbbbb2', region: 'us-east-2' },
            listen: { host: '127.0.1.2' },
          },
        ],
      },
    });
  });
  afterAll(() => fleet.close());

  it('answers each listener as its own instance, whoever calls', async () => {
    const [a, b] = fleet.ids.map((id) => fleet.instance(id).url);
    expect(new URL(a as string).hostname).toBe('127.0.1.1');
    expect(new URL(b as string).hostname).toBe('127.0.1.2');
    expect((await read(a as string, '/latest/meta-data/instance-id')).body).toBe('i-0aaaaaaaaaaaaaaa1');
    expect((await read(b as string, '/latest/meta-data/placement/region')).body).toBe('us-east-2');
    const tokenA = await tokenFrom(a as string);
    const crossed = await exchange(b as string, '/latest/meta-data/instance-id', {
      headers: { 'x-aws-ec2-metadata-token': tokenA },
    });
    expect(crossed.status).toBe(401);
  });

  it('a fault on one listener leaves the other alone', async () => {
    const [a, b] = fleet.ids;
    fleet.instance(a as string).trigger({ type: 'endpoint-off', response: 'forbidden' });
    const offUrl = fleet.instance(a as string).url;
    const onUrl = fleet.instance(b as string).url;
    expect((await exchange(offUrl, '/latest/meta-data/instance-id')).status).toBe(403);
    expect((await read(onUrl, '/latest/meta-data/instance-id')).status).toBe(200);
  });
});

describe('unmatched callers', () => {
  it('get the chosen default instance', async () => {
    await using fleet = await startFleet({
      fleet: {
        template: { count: 2, sources: '127.0.0.2' },
        unmatched: 'i-0410f3c9b2d5e8a72',
      },
    });
    expect((await read(fleet.url, '/latest/meta-data/instance-id', '127.0.0.9')).body).toBe(
      'i-0410f3c9b2d5e8a72',
    );
  });

  it('get no answer at all with timeout (the client gives up)', async () => {
    await using fleet = await startFleet({
      fleet: { template: { count: 1, sources: '127.0.0.2' }, unmatched: 'timeout' },
    });
    await expect(
      exchange(fleet.url, '/latest/api/token', {
        from: '127.0.0.9',
        method: 'PUT',
        headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
        timeoutMs: 300,
      }),
    ).rejects.toThrow('timeout');
    expect(fleet.requests.map((entry) => [entry.instance, entry.status])).toEqual([[null, 'silence']]);
  });
});
