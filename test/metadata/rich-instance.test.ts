import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import type { InstanceDescription } from '../../src/metadata/instance.js';
import { crawl } from '../helpers/crawl.js';
import { header, inProcess, SEED_NOW, text } from '../helpers/in-process.js';

const primary = DEFAULT_INSTANCE.networkInterfaces[0]!;

/** Every optional category switched on, to check each one appears where and when it should. */
const RICH: InstanceDescription = {
  ...DEFAULT_INSTANCE,
  instanceLifeCycle: 'spot',
  kernelId: 'aki-0a1b2c3d',
  ramdiskId: 'ari-0a1b2c3d',
  productCodes: ['6xqqzkyq2xx0ybkyrbf9glkhz'],
  ancestorAmiIds: ['ami-0123456789abcdef0'],
  networkInterfaces: [
    {
      ...primary,
      ipv6s: ['2406:da14:abc:de00::1'],
      subnetIpv6CidrBlocks: ['2406:da14:abc:de00::/64'],
      vpcIpv6CidrBlocks: ['2406:da14:abc:de00::/56'],
    },
    {
      ...primary,
      mac: '06:7a:11:22:33:44',
      interfaceId: 'eni-0fedcba9876543210',
      deviceNumber: 1,
      localIpv4s: ['172.31.40.9', '172.31.40.10'],
      localHostname: 'ip-172-31-40-9.ap-northeast-1.compute.internal',
      publicIpv4s: [],
      publicHostname: undefined,
    },
  ],
  tags: { Name: 'web-1', Team: 'platform' },
  userData: new Uint8Array([0x23, 0x21, 0x2f, 0x62, 0x69, 0x6e, 0x00, 0xff, 0x0a]),
  maintenanceEvents: [
    {
      eventId: 'instance-event-0d59937288b749b32',
      code: 'system-reboot',
      description: 'scheduled reboot',
      state: 'active',
      notBefore: Date.UTC(2024, 2, 1, 9, 0, 43),
      notAfter: Date.UTC(2024, 2, 1, 11, 0, 43),
    },
    {
      eventId: 'instance-event-0aaaaaaaaaaaaaaaa',
      code: 'instance-stop',
      description: 'old',
      state: 'completed',
      notBefore: Date.UTC(2024, 0, 1),
      notAfter: Date.UTC(2024, 0, 1, 2),
    },
  ],
  spotNotice: { action: 'stop', time: SEED_NOW + 120_000 },
  rebalanceNoticeTime: SEED_NOW - 60_000,
  targetLifecycleState: 'InService',
};

describe('an instance with every optional category', () => {
  const { get, token } = inProcess({ instance: RICH });
  const t = token();
  const value = (path: string) => {
    const response = get(`/latest/meta-data/${path}`, t);
    expect(response.status, path).toBe(200);
    return text(response);
  };

  it('lists each ENI under its own MAC, with its own addresses', () => {
    expect(value('network/interfaces/macs/').split('\n')).toEqual([
      '06:3d:8a:5e:c4:17/',
      '06:7a:11:22:33:44/',
    ]);
    expect(value('network/interfaces/macs/06:7a:11:22:33:44/local-ipv4s')).toBe('172.31.40.9\n172.31.40.10');
    expect(value('network/interfaces/macs/06:7a:11:22:33:44/device-number')).toBe('1');
    expect(get('/latest/meta-data/network/interfaces/macs/06:7a:11:22:33:44/public-ipv4s', t).status).toBe(
      404,
    );
    expect(value('network/interfaces/macs/06:3d:8a:5e:c4:17/ipv6s')).toBe('2406:da14:abc:de00::1');
    expect(value('ipv6')).toBe('2406:da14:abc:de00::1');
  });

  it('exposes tags, spot, events, rebalance and lifecycle', () => {
    expect(value('tags/instance')).toBe('Name\nTeam');
    expect(value('tags/instance/Name')).toBe('web-1');
    expect(JSON.parse(value('spot/instance-action'))).toEqual({
      action: 'stop',
      time: '2024-02-27T13:08:06Z',
    });
    // A stop notice: termination-time holds a time only when the action is terminate.
    expect(get('/latest/meta-data/spot/termination-time', t).status).toBe(404);
    expect(value('spot')).toBe('instance-action');
    expect(value('instance-life-cycle')).toBe('spot');
    expect(JSON.parse(value('events/recommendations/rebalance'))).toEqual({
      noticeTime: '2024-02-27T13:05:06Z',
    });
    const scheduled = JSON.parse(value('events/maintenance/scheduled')) as Array<Record<string, string>>;
    expect(scheduled).toEqual([
      {
        NotBefore: '1 Mar 2024 09:00:43 GMT',
        Code: 'system-reboot',
        Description: 'scheduled reboot',
        EventId: 'instance-event-0d59937288b749b32',
        NotAfter: '1 Mar 2024 11:00:43 GMT',
        State: 'active',
      },
    ]);
    const history = JSON.parse(value('events/maintenance/history')) as Array<Record<string, string>>;
    expect(history.map((event) => event.State)).toEqual(['completed']);
    expect(value('autoscaling/target-lifecycle-state')).toBe('InService');
    expect(value('kernel-id')).toBe('aki-0a1b2c3d');
    expect(value('product-codes')).toBe('6xqqzkyq2xx0ybkyrbf9glkhz');
  });

  it('serves user data byte for byte as application/octet-stream, and lists it under /latest/', () => {
    const response = get('/latest/user-data', t);
    expect(response.status).toBe(200);
    expect(header(response, 'Content-Type')).toBe('application/octet-stream');
    expect(Buffer.from(response.body)).toEqual(Buffer.from(RICH.userData!));
    expect(text(get('/latest/', t))).toBe('dynamic\nmeta-data\nuser-data');
  });

  it('serves only what existed at a dated version', () => {
    const at = (version: string, path: string) => get(`/${version}/meta-data/${path}`, t).status;
    expect(at('2016-09-02', 'tags/instance/Name')).toBe(404);
    expect(at('2021-03-23', 'tags/instance/Name')).toBe(200);
    expect(at('2016-09-02', 'spot/instance-action')).toBe(404);
    expect(at('2018-03-28', 'spot/instance-action')).toBe(200);
    expect(at('2020-10-27', 'events/recommendations/rebalance')).toBe(200);
    expect(at('2019-10-01', 'events/recommendations/rebalance')).toBe(404);
    expect(at('2021-03-23', 'autoscaling/target-lifecycle-state')).toBe(404);
  });

  it('serves every entry it lists', () => {
    const seen = crawl((path) => get(path, t), '/latest/meta-data/');
    expect([...seen].filter(([, response]) => response.status !== 200).map(([path]) => path)).toEqual([]);
    expect(seen.has('/latest/meta-data/tags/instance/Team')).toBe(true);
  });
});
