/**
 * Every example configuration in examples/ is loaded and its feature observed over loopback HTTP
 * (or in-process, for faults whose effect is a missing answer).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { emulatorOptionsOf } from '../../src/config/emulator-options.js';
import { resolveConfig, type EffectiveConfig } from '../../src/config/resolve.js';
import { Controller } from '../../src/control/controller.js';
import { Fleet } from '../../src/fleet/fleet.js';
import { makeRequest } from '../../src/server/exchange.js';
import { request, serveOnLoopback, T0, type Served } from '../scenarios/http.js';

let served: Served | undefined;
afterEach(() => served?.close());

const load = (name: string) => resolveConfig({ flags: { config: `examples/${name}` }, env: {} });

async function serveExample(name: string): Promise<{ config: EffectiveConfig; served: Served }> {
  const config = load(name);
  const { clock: _clock, ...options } = emulatorOptionsOf(
    { ...config.settings, instance: config.instance, scenarios: config.scenarios },
    { now: () => 0 },
  );
  served = await serveOnLoopback(options);
  return { config, served };
}

const CHECKS: Record<string, (s: Served, config: EffectiveConfig) => Promise<void>> = {
  'minimal.yaml': async (s) => {
    expect((await s.getV1('/latest/meta-data/instance-id')).body).toBe('i-0410f3c9b2d5e8a71');
  },
  'instance.yaml': async (s) => {
    const value = async (path: string) => (await s.get(`/latest/meta-data/${path}`)).body;
    expect(await value('instance-type')).toBe('m7g.large');
    expect(await value('placement/availability-zone')).toBe('eu-west-1b');
    expect(await value('placement/availability-zone-id')).toBe('euw1-az2');
    expect(await value('local-hostname')).toBe('ip-10-0-1-25.eu-west-1.compute.internal');
    expect(await value('hostname')).toBe('ip-10-0-1-25.eu-west-1.compute.internal');
    expect(await value('public-hostname')).toBe('ec2-34-240-1-10.eu-west-1.compute.amazonaws.com');
    expect(await value('ipv6')).toBe('2a05:d018:1:2::10');
    expect(await value('tags/instance')).toBe('Name\nTeam\nStage');
    expect(await value('tags/instance/Team')).toBe('platform');
    expect(await value('block-device-mapping/')).toBe('ami\nebs1\nephemeral0\nroot');
    expect(await value('network/interfaces/macs/')).toBe('0a:1b:2c:3d:4e:5f/\n0a:1b:2c:3d:4e:60/');
    expect(await value('network/interfaces/macs/0a:1b:2c:3d:4e:5f/local-ipv4s')).toBe('10.0.1.25\n10.0.1.26');
    expect(await value('network/interfaces/macs/0a:1b:2c:3d:4e:60/device-number')).toBe('1');
    // Blocks follow the addresses: each interface in its own /24 of one /16, with its own subnet id.
    const eni = (mac: string, leaf: string) => value(`network/interfaces/macs/${mac}/${leaf}`);
    expect(await eni('0a:1b:2c:3d:4e:5f', 'subnet-ipv4-cidr-block')).toBe('10.0.1.0/24');
    expect(await eni('0a:1b:2c:3d:4e:60', 'subnet-ipv4-cidr-block')).toBe('10.0.2.0/24');
    expect(await eni('0a:1b:2c:3d:4e:5f', 'vpc-ipv4-cidr-blocks')).toBe('10.0.0.0/16');
    expect(await eni('0a:1b:2c:3d:4e:5f', 'subnet-id')).not.toBe(await eni('0a:1b:2c:3d:4e:60', 'subnet-id'));
    expect(await eni('0a:1b:2c:3d:4e:5f', 'vpc-id')).toBe(await eni('0a:1b:2c:3d:4e:60', 'vpc-id'));
    expect(await value('public-keys/')).toBe('0=ops');
    expect(JSON.parse(await value('iam/info')).InstanceProfileArn).toBe(
      'arn:aws:iam::210987654321:instance-profile/web-server',
    );
    const document = JSON.parse((await s.get('/latest/dynamic/instance-identity/document')).body);
    expect(document).toMatchObject({
      accountId: '210987654321',
      region: 'eu-west-1',
      privateIp: '10.0.1.25',
      architecture: 'arm64',
      pendingTime: '2024-03-01T08:00:00Z',
    });
  },
  'user-data.yaml': async (s) => {
    const reply = await s.get('/latest/user-data');
    expect(reply.headers['content-type']).toBe('application/octet-stream');
    expect(reply.body).toBe(readFileSync('examples/user-data.sh', 'utf8'));
  },
  'set-remove.yaml': async (s) => {
    expect((await s.get('/latest/meta-data/public-ipv4')).status).toBe(404);
    expect((await s.get('/latest/meta-data/public-keys/')).status).toBe(404);
    expect((await s.get('/latest/meta-data/ami-id')).body).toBe('ami-0123456789abcdef0');
    expect((await s.get('/latest/meta-data/custom/anything')).body).toBe(
      'leaves and directories are created as needed',
    );
    expect((await s.get('/latest/meta-data/tags/instance/Name')).body).toBe('from-set');
  },
  'spot-interruption.yaml': async (s) => {
    s.clock.advance(120_000);
    expect(JSON.parse((await s.get('/latest/meta-data/spot/instance-action')).body)).toEqual({
      action: 'stop',
      time: '2024-03-01T09:04:00Z',
    });
  },
  'rebalance-recommendation.yaml': async (s) => {
    s.clock.advance(90_000);
    expect((await s.get('/latest/meta-data/events/recommendations/rebalance')).body).toBe(
      '{"noticeTime": "2024-03-01T09:01:30Z"}',
    );
  },
  'maintenance-events.yaml': async (s) => {
    const scheduled = JSON.parse((await s.get('/latest/meta-data/events/maintenance/scheduled')).body);
    expect(scheduled.map((event: { Code: string }) => event.Code)).toEqual([
      'system-reboot',
      'instance-retirement',
    ]);
    expect(scheduled[1].NotBeforeDeadline).toBe('8 Apr 2024 00:00:00 GMT');
    s.clock.advance(25 * 3_600_000);
    const history = JSON.parse((await s.get('/latest/meta-data/events/maintenance/history')).body);
    expect(history.map((event: { Code: string; State: string }) => `${event.Code}:${event.State}`)).toEqual([
      'system-reboot:completed',
      'instance-stop:canceled',
    ]);
  },
  'autoscaling-lifecycle.yaml': async (s) => {
    expect((await s.get('/latest/meta-data/autoscaling/target-lifecycle-state')).body).toBe('Warmed:Stopped');
    s.clock.advance(300_000);
    expect((await s.get('/latest/meta-data/autoscaling/target-lifecycle-state')).body).toBe('InService');
  },
  'credentials.yaml': async (s) => {
    const path = '/latest/meta-data/iam/security-credentials/ec2-imds-demo-role';
    const first = JSON.parse((await s.get(path)).body);
    expect(Date.parse(first.Expiration) - Date.parse(first.LastUpdated)).toBe(3_600_000);
    s.clock.advance(600_000);
    const rotated = JSON.parse((await s.get(path)).body);
    expect(rotated.AccessKeyId).not.toBe(first.AccessKeyId);
    expect(rotated.LastUpdated).toBe('2024-03-01T09:10:00Z');
  },
  'imdsv2-switch-on.yaml': async (s) => {
    expect((await s.getV1('/latest/meta-data/instance-id')).status).toBe(200);
    s.clock.advance(30 * 60_000);
    expect((await s.getV1('/latest/meta-data/instance-id')).status).toBe(401);
  },
  'timed-values.yaml': async (s) => {
    expect((await s.get('/latest/meta-data/tags/instance')).body).toBe('');
    s.clock.advance(60_000);
    expect((await s.get('/latest/meta-data/tags/instance/Stage')).body).toBe('blue');
    s.clock.advance(120_000);
    expect((await s.get('/latest/meta-data/tags/instance/Stage')).status).toBe(404);
  },
  'hop-limit.yaml': async (s) => {
    const put = (peer: string) =>
      s.emulator.handle(
        makeRequest('PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': '60' }, peer),
      );
    expect(put('172.17.0.5')).toEqual({ noResponse: 'silence' });
    expect(put('127.0.0.2')).toEqual({ noResponse: 'silence' });
    expect(
      (
        await request(s.url, '/latest/api/token', {
          method: 'PUT',
          headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
          from: '127.0.0.3',
        })
      ).status,
    ).toBe(200);
  },
  'metadata-options.yaml': async (s, config) => {
    expect(config.instance.tags).toEqual({ Name: 'web-1' });
    expect((await s.get('/latest/meta-data/tags/instance/Name')).status).toBe(404);
    const put = (peer: string) =>
      s.emulator.handle(
        makeRequest('PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': '60' }, peer),
      );
    expect(put('172.17.0.9')).toEqual({ noResponse: 'silence' });
    expect((await s.getV1('/latest/meta-data/instance-id', { from: '127.0.0.2' })).status).toBe(200);
    expect(
      (
        await request(s.url, '/latest/api/token', {
          method: 'PUT',
          headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
          from: '127.0.0.3',
        })
      ).status,
    ).toBe(200);
  },
  'throttle.yaml': async (s) => {
    const statuses = Array.from({ length: 11 }, () =>
      s.emulator.handle(makeRequest('GET', '/latest/meta-data/', {}, '10.0.0.1')),
    ).map((o) => ('status' in o ? o.status : o.noResponse));
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true);
    expect(statuses[10]).toBe(503);
    s.clock.advance(200);
    expect(s.emulator.handle(makeRequest('GET', '/latest/meta-data/', {}, '10.0.0.1'))).toMatchObject({
      status: 401,
    });
  },
  'latency.yaml': async (s) => {
    const outcome = (peer: string) => s.emulator.handle(makeRequest('GET', '/latest/meta-data/', {}, peer));
    expect(outcome('10.0.0.1')).toMatchObject({ delayMs: 200 });
    expect(outcome('10.0.0.2')).toMatchObject({ delayMs: 200 });
    expect(outcome('10.0.0.3')).not.toHaveProperty('delayMs');
    s.clock.advance(600_000);
    expect(outcome('10.0.0.1')).not.toHaveProperty('delayMs');
  },
  'server-errors.yaml': async (s) => {
    const failures = Array.from({ length: 200 }, () =>
      s.emulator.handle(makeRequest('GET', '/latest/meta-data/')),
    ).filter((o) => 'status' in o && o.status === 500).length;
    expect(failures).toBeGreaterThan(25);
    expect(failures).toBeLessThan(75);
  },
  'endpoint-off.yaml': async (s) => {
    expect((await s.get('/latest/meta-data/instance-id')).status).toBe(200);
    s.clock.advance(60_000);
    expect(
      (
        await request(s.url, '/latest/api/token', {
          method: 'PUT',
          headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
        })
      ).status,
    ).toBe(403);
    s.clock.advance(300_000);
    expect((await s.get('/latest/meta-data/instance-id')).status).toBe(200);
  },
  'control-api.yaml': async (s, config) => {
    expect(config.settings).toMatchObject({ controlHost: '127.0.0.1', controlPort: 1339 });
    expect(config.clock).toEqual({ start: T0, manual: true });
    s.clock.advance(120_000);
    expect((await s.get('/latest/meta-data/spot/instance-action')).status).toBe(200);
  },
  'everything.json': async (s, config) => {
    expect(config.settings.seed).toBe(7);
    expect([...Buffer.from((await s.get('/latest/user-data')).body, 'latin1')].length).toBeGreaterThan(0);
    expect((await s.get('/latest/meta-data/instance-type')).body).toBe('c7i.xlarge');
    expect((await s.get('/latest/meta-data/autoscaling/target-lifecycle-state')).body).toBe('InService');
    expect(s.emulator.stateAt().faults.map((fault) => fault.spec.type)).toEqual(['throttle']);
    expect(config.instance.userData).toEqual(new Uint8Array([0, 1, 2, 253, 254, 255]));
  },
  // Fleets are served over sockets in test/fleet/serve-fleet.test.ts; here, what the files build.
  'fleet-3.yaml': async (_s, config) => {
    expect(config.fleet?.members.map((member) => member.instance.tags?.Name)).toEqual([
      'web-1',
      'web-2',
      'batch-1',
    ]);
    expect(config.fleet?.members.map((member) => member.instance.region)).toEqual([
      'eu-west-1',
      'eu-west-1',
      'eu-west-1',
    ]);
  },
  'fleet-template.yaml': async (_s, config) => {
    const spec = config.fleet as NonNullable<EffectiveConfig['fleet']>;
    expect(spec.members).toHaveLength(200);
    expect(spec.members[199]?.sources).toEqual(['10.0.0.209']);
    expect(spec.members[199]?.instance.hostname).toBe('ip-10-20-0-209.ec2.internal');
    const fleet = new Fleet(spec, { clock: { now: () => 0 }, seed: config.settings.seed ?? 0 });
    const notified = fleet.members.filter((member) => member.scenarios.length > 0);
    expect(notified).toHaveLength(20);
    expect(fleet.created).toBe(0);
  },
};

describe('examples/', () => {
  it('every example file has a check here', () => {
    const files = readdirSync('examples')
      .filter((name) => /\.(ya?ml|json)$/.test(name))
      .sort();
    expect(files).toEqual(Object.keys(CHECKS).sort());
  });

  it.each(Object.keys(CHECKS))('%s', async (name) => {
    const { config, served: s } = await serveExample(name);
    await CHECKS[name]!(s, config);
  });

  it.each(readdirSync('examples/control'))('control/%s is a valid control API request body', async (name) => {
    served = await serveOnLoopback();
    const body = JSON.parse(readFileSync(`examples/control/${name}`, 'utf8'));
    const record = new Controller(served.emulator).trigger(body);
    expect(record.type).toBe(body.type);
    expect(record.entry).toMatchObject(body);
    expect(served.emulator.timeline.list()).toHaveLength(1);
  });
});
