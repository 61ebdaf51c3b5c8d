import { fromInstanceMetadata } from '@smithy/credential-provider-imds';
import { describe, expect, it } from 'vitest';
import { ConfigError, startImds, type Imds } from '../../src/testing/index.js';

const TTL = { 'X-aws-ec2-metadata-token-ttl-seconds': '60' };
async function read(imds: Imds, path: string, token = true) {
  const headers: Record<string, string> = {};
  if (token)
    headers['X-aws-ec2-metadata-token'] = await (
      await fetch(`${imds.url}/latest/api/token`, { method: 'PUT', headers: TTL })
    ).text();
  const response = await fetch(`${imds.url}${path}`, { headers });
  return { status: response.status, body: await response.text() };
}

describe('startImds', () => {
  it('listens on a free loopback port and gives the SDK variables', async () => {
    await using imds = await startImds();
    expect(imds.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(imds.env).toEqual({
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
      AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE: 'IPv4',
      AWS_EC2_METADATA_DISABLED: 'false',
    });
    expect((await read(imds, '/latest/meta-data/instance-id')).body).toBe('i-0410f3c9b2d5e8a71');
    expect((await read(imds, '/latest/meta-data/instance-id', false)).status).toBe(401);
  });

  it('await using closes it at the end of the block', async () => {
    let url: string;
    {
      await using imds = await startImds();
      url = imds.url;
      expect((await fetch(`${url}/latest/api/token`, { method: 'PUT', headers: TTL })).status).toBe(200);
    }
    await expect(fetch(`${url}/latest/api/token`, { method: 'PUT', headers: TTL })).rejects.toThrow();
  });

  it('takes an instance, settings and scenarios as in a configuration file', async () => {
    await using imds = await startImds({
      instance: { instanceType: 'c7g.medium', tags: { Name: 'api-1' } },
      httpTokens: 'optional',
      scenarios: [{ type: 'rebalance-recommendation', after: '1m' }],
      set: { 'meta-data/ami-id': 'ami-0123456789abcdef0' },
      remove: ['meta-data/public-ipv4'],
      now: '2024-03-01T09:00:00Z',
    });
    expect((await read(imds, '/latest/meta-data/instance-type', false)).body).toBe('c7g.medium');
    expect((await read(imds, '/latest/meta-data/tags/instance/Name')).body).toBe('api-1');
    expect((await read(imds, '/latest/meta-data/ami-id')).body).toBe('ami-0123456789abcdef0');
    expect((await read(imds, '/latest/meta-data/public-ipv4')).status).toBe(404);
    expect((await read(imds, '/latest/meta-data/events/recommendations/rebalance')).status).toBe(404);
    expect(imds.clock.advance(60)).toBe(Date.UTC(2024, 2, 1, 9, 1));
    expect((await read(imds, '/latest/meta-data/events/recommendations/rebalance')).body).toBe(
      '{"noticeTime": "2024-03-01T09:01:00Z"}',
    );
  });

  it('set and remove change values at once', async () => {
    await using imds = await startImds();
    imds.set('meta-data/tags/instance/Owner', 'team-a');
    expect((await read(imds, '/latest/meta-data/tags/instance/Owner')).body).toBe('team-a');
    imds.remove('meta-data/tags/instance/Owner');
    expect((await read(imds, '/latest/meta-data/tags/instance/Owner')).status).toBe(404);
    expect(() => imds.set('metadata/x', 'y')).toThrow(ConfigError);
  });

  it('spot.interrupt() now or after a delay; clock.advance takes a duration or a number of seconds', async () => {
    await using imds = await startImds({ now: Date.UTC(2024, 2, 1, 9) });
    imds.spot.interrupt({ action: 'stop', after: '30s' });
    expect((await read(imds, '/latest/meta-data/spot/instance-action')).status).toBe(404);
    imds.clock.advance('30s');
    expect(JSON.parse((await read(imds, '/latest/meta-data/spot/instance-action')).body)).toEqual({
      action: 'stop',
      time: '2024-03-01T09:02:30Z',
    });
    expect((await read(imds, '/latest/meta-data/instance-life-cycle')).body).toBe('spot');
    expect(() => imds.clock.advance('soon')).toThrow(RangeError);
  });

  it('rebalance(), events.schedule/complete/cancel, rotateCredentials()', async () => {
    await using imds = await startImds({ now: Date.UTC(2024, 2, 1, 9) });
    imds.rebalance();
    expect((await read(imds, '/latest/meta-data/events/recommendations/rebalance')).body).toBe(
      '{"noticeTime": "2024-03-01T09:00:00Z"}',
    );

    const reboot = imds.events.schedule({ code: 'system-reboot' });
    const stop = imds.events.schedule({
      code: 'instance-stop',
      notBefore: '2024-03-05T00:00:00Z',
      notAfter: '2024-03-05T02:00:00Z',
    });
    const scheduled = JSON.parse((await read(imds, '/latest/meta-data/events/maintenance/scheduled')).body);
    expect(scheduled.map((event: { EventId: string }) => event.EventId)).toEqual([reboot, stop]);
    expect(scheduled[0].NotBefore).toBe('2 Mar 2024 09:00:00 GMT');
    imds.events.complete(reboot);
    imds.events.cancel(stop);
    const history = JSON.parse((await read(imds, '/latest/meta-data/events/maintenance/history')).body);
    expect(history.map((event: { State: string }) => event.State)).toEqual(['completed', 'canceled']);

    const path = '/latest/meta-data/iam/security-credentials/ec2-imds-demo-role';
    const before = JSON.parse((await read(imds, path)).body).AccessKeyId;
    imds.rotateCredentials();
    expect(JSON.parse((await read(imds, path)).body).AccessKeyId).not.toBe(before);
  });

  it('setHttpTokens() and the request log tell v1 callers from v2 ones', async () => {
    await using imds = await startImds({ httpTokens: 'optional' });
    await read(imds, '/latest/meta-data/instance-id', false);
    await read(imds, '/latest/meta-data/instance-id');
    imds.setHttpTokens('required');
    expect((await read(imds, '/latest/meta-data/instance-id', false)).status).toBe(401);
    const gets = imds.requests.filter((entry) => entry.method === 'GET');
    expect(gets.map((entry) => [entry.version, entry.status, entry.peer])).toEqual([
      ['v1', 200, '127.0.0.1'],
      ['v2', 200, '127.0.0.1'],
      ['v1', 401, '127.0.0.1'],
    ]);
    expect(gets[0]?.userAgent).toBe('node');
  });

  it('faults and trigger()/cancel() for anything else', async () => {
    await using imds = await startImds({ faults: [{ type: 'endpoint-off', id: 'outage' }] });
    expect((await fetch(`${imds.url}/latest/api/token`, { method: 'PUT', headers: TTL })).status).toBe(403);
    imds.cancel('outage');
    expect((await fetch(`${imds.url}/latest/api/token`, { method: 'PUT', headers: TTL })).status).toBe(200);
    imds.trigger({ type: 'server-errors', rate: 1, status: 503 });
    expect((await fetch(`${imds.url}/latest/api/token`, { method: 'PUT', headers: TTL })).status).toBe(503);
  });

  it('reset() returns to the state at start', async () => {
    await using imds = await startImds({ scenarios: [{ type: 'spot-interruption', after: '1m' }] });
    imds.set('meta-data/ami-id', 'ami-0123456789abcdef0');
    imds.setHttpTokens('optional');
    imds.rebalance();
    imds.clock.advance('1m');
    expect((await read(imds, '/latest/meta-data/spot/instance-action')).status).toBe(200);
    imds.reset();
    expect(imds.requests).toEqual([]);
    expect((await read(imds, '/latest/meta-data/spot/instance-action')).status).toBe(404);
    expect((await read(imds, '/latest/meta-data/ami-id')).body).toBe('ami-0d52744d6551d851e');
    expect((await read(imds, '/latest/meta-data/instance-id', false)).status).toBe(401);
    expect((await read(imds, '/latest/meta-data/events/recommendations/rebalance')).status).toBe(404);
    imds.clock.advance('1m');
    expect((await read(imds, '/latest/meta-data/spot/instance-action')).status).toBe(200);
  });

  it('several in one process are isolated', async () => {
    await using a = await startImds({ instance: { instanceId: 'i-0aaaaaaaaaaaaaaaa' } });
    await using b = await startImds({ instance: { instanceId: 'i-0bbbbbbbbbbbbbbbb' } });
    a.spot.interrupt();
    a.clock.advance('1h');
    expect(a.url).not.toBe(b.url);
    expect((await read(a, '/latest/meta-data/instance-id')).body).toBe('i-0aaaaaaaaaaaaaaaa');
    expect((await read(b, '/latest/meta-data/instance-id')).body).toBe('i-0bbbbbbbbbbbbbbbb');
    expect((await read(b, '/latest/meta-data/spot/instance-action')).status).toBe(404);
    expect(b.clock.now()).toBeLessThan(a.clock.now());
    const tokenOfA = await (await fetch(`${a.url}/latest/api/token`, { method: 'PUT', headers: TTL })).text();
    expect(
      (await fetch(`${b.url}/latest/meta-data/`, { headers: { 'X-aws-ec2-metadata-token': tokenOfA } }))
        .status,
    ).toBe(401);
    expect(
      b.requests.every(
        (entry) => entry.path !== '/latest/meta-data/spot/instance-action' || entry.status === 404,
      ),
    ).toBe(true);
  });

  it('AWS SDKs find it through imds.env', async () => {
    await using imds = await startImds();
    const saved = { ...process.env };
    try {
      Object.assign(process.env, imds.env, { AWS_EC2_METADATA_V1_DISABLED: 'true' });
      const credentials = await fromInstanceMetadata({ timeout: 2_000, maxRetries: 0 })();
      expect(credentials.accessKeyId).toMatch(/^ASIA/);
      expect(
        imds.requests.some((entry) => entry.version === 'v2' && entry.path.endsWith('/ec2-imds-demo-role')),
      ).toBe(true);
    } finally {
      process.env = saved;
    }
  });

  it('invalid options fail with the configuration messages', async () => {
    await expect(startImds({ instance: { instanceTpye: 'x' } as never })).rejects.toThrow(
      'startImds: instance.instanceTpye: unknown key; did you mean "instanceType"?',
    );
    await expect(
      startImds({ scenarios: [{ type: 'spot-interruption', action: 'explode' } as never] }),
    ).rejects.toThrow(
      'startImds: scenarios[0].action: expected one of "terminate", "stop", "hibernate", got "explode"',
    );
    await expect(startImds({ httpTokens: 'sometimes' as never })).rejects.toThrow(
      'startImds: httpTokens: expected one of "required", "optional", got "sometimes"',
    );
    await expect(startImds({ now: 'yesterday' })).rejects.toBeInstanceOf(ConfigError);
  });

  it('every options object is as strict as the file: unknown keys fail with the likely meant one', async () => {
    await expect(startImds({ senarios: [] } as never)).rejects.toThrow(
      'startImds: senarios: unknown key; did you mean "scenarios"?',
    );
    await expect(startImds({ port: 1338 } as never)).rejects.toThrow(
      'startImds: port: unknown key; the fixture always listens on a free port: read imds.url',
    );
    await expect(startImds({ httpTokens: 'optinal' } as never)).rejects.toThrow(
      'startImds: httpTokens: expected one of "required", "optional", got "optinal"; did you mean "optional"?',
    );
    await expect(startImds({ seed: -1 })).rejects.toThrow('startImds: seed:');
    await expect(startImds({ host: '0.0.0.0' as never })).rejects.toThrow(
      'startImds: host: expected one of "127.0.0.1", "::1", "localhost", got "0.0.0.0"',
    );

    await using imds = await startImds();
    expect(() => imds.spot.interrupt({ delay: '30s' } as never)).toThrow(
      'spot.interrupt: delay: unknown key; the keys here are action, after, at, notice',
    );
    expect(() => imds.rebalance({ afterr: '1m' } as never)).toThrow(
      'rebalance: afterr: unknown key; did you mean "after"?',
    );
    expect(() => imds.events.schedule({ code: 'system-reboot', stat: 'active' } as never)).toThrow(
      'events.schedule: stat: unknown key',
    );
    // Nothing was scheduled by the refused calls.
    expect(imds.emulator.timeline.list()).toEqual([]);
  });

  it('instanceConnect.push serves a key for 60 s of the fixture clock; bad keys are refused by name', async () => {
    await using imds = await startImds();
    const publicKey =
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8 dev@example';
    imds.instanceConnect.push({ user: 'ec2-user', publicKey });
    expect(imds.instanceConnect.keys().map((key) => key.user)).toEqual(['ec2-user']);
    const served = await read(imds, '/latest/meta-data/managed-ssh-keys/active-keys/ec2-user');
    expect(served.status).toBe(200);
    expect(served.body.split('\n').slice(1, 5)).toEqual([
      '#Instance=i-0410f3c9b2d5e8a71',
      '#Caller=arn:aws:iam::123456789012:user/ec2-imds',
      expect.stringMatching(/^#Request=[0-9a-f-]{36}$/),
      publicKey,
    ]);
    expect(imds.instanceConnect.rootCertificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    imds.clock.advance('60s');
    expect((await read(imds, '/latest/meta-data/managed-ssh-keys/active-keys/ec2-user')).status).toBe(404);
    expect(imds.instanceConnect.keys()).toEqual([]);
    expect(() => imds.instanceConnect.push({ user: 'ec2-user', publicKey: 'ssh-dss AAAA' })).toThrow(
      /publicKey: expected an OpenSSH RSA or ED25519/,
    );
    expect(() => imds.instanceConnect.push({ user: 'ec2-user', publicKey, lifetme: '2m' } as never)).toThrow(
      /lifetme: unknown key; did you mean "lifetime"\?/,
    );
  });
});
