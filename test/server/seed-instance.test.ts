import { describe, expect, it } from 'vitest';
import { DEFAULT_INSTANCE } from '../../src/metadata/default-instance.js';
import { crawl } from '../helpers/crawl.js';
import { header, inProcess, text } from '../helpers/in-process.js';

/** Spec §4: the 26 entries of the seed's `GET /latest/meta-data/`, in order. */
const SEED_LISTING = [
  'ami-id',
  'ami-launch-index',
  'ami-manifest-path',
  'block-device-mapping/',
  'events/',
  'hostname',
  'iam/',
  'identity-credentials/',
  'instance-action',
  'instance-id',
  'instance-life-cycle',
  'instance-type',
  'local-hostname',
  'local-ipv4',
  'mac',
  'metrics/',
  'network/',
  'placement/',
  'profile',
  'public-hostname',
  'public-ipv4',
  'public-keys/',
  'reservation-id',
  'security-groups',
  'services/',
  'system',
];

describe('the default instance is the seed’s', () => {
  const { get, token } = inProcess();
  const t = token();
  const value = (path: string) => {
    const response = get(`/latest/meta-data/${path}`, t);
    expect(response.status, path).toBe(200);
    return text(response);
  };

  it('lists exactly the 26 entries of the seed, Content-Length 325', () => {
    const response = get('/latest/meta-data/', t);
    expect(text(response).split('\n')).toEqual(SEED_LISTING);
    expect(header(response, 'Content-Length')).toBe('325');
    expect(response.body.byteLength).toBe(325);
  });

  it('answers the seed’s instance id with Content-Length 19', () => {
    const response = get('/latest/meta-data/instance-id', t);
    expect(text(response)).toMatch(/^i-[0-9a-f]{17}$/);
    expect(header(response, 'Content-Length')).toBe('19');
  });

  it('has ids of the right shapes', () => {
    expect(value('ami-id')).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(value('reservation-id')).toMatch(/^r-[0-9a-f]{17}$/);
    expect(value('mac')).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(value('placement/availability-zone-id')).toMatch(/^apne1-az\d$/);
  });

  it('agrees with itself: Tokyo placement, the primary ENI, hostnames and the identity document', () => {
    expect(value('placement/region')).toBe('ap-northeast-1');
    expect(value('placement/availability-zone')).toMatch(/^ap-northeast-1[a-d]$/);
    const mac = value('mac');
    const eni = (leaf: string) => value(`network/interfaces/macs/${mac}/${leaf}`);
    expect(value('network/interfaces/macs/')).toBe(`${mac}/`);
    expect(eni('mac')).toBe(mac);
    expect(eni('local-ipv4s')).toBe(value('local-ipv4'));
    expect(eni('public-ipv4s')).toBe(value('public-ipv4'));
    expect(eni(`ipv4-associations/${value('public-ipv4')}`)).toBe(value('local-ipv4'));
    expect(eni('security-groups')).toBe(value('security-groups'));
    expect(eni('device-number')).toBe('0');
    expect(value('local-hostname')).toBe(
      `ip-${value('local-ipv4').replaceAll('.', '-')}.ap-northeast-1.compute.internal`,
    );
    expect(value('public-hostname')).toBe(
      `ec2-${value('public-ipv4').replaceAll('.', '-')}.ap-northeast-1.compute.amazonaws.com`,
    );
    expect(eni('subnet-ipv4-cidr-block')).toBe('172.31.32.0/20');

    const document = JSON.parse(text(get('/latest/dynamic/instance-identity/document', t))) as Record<
      string,
      unknown
    >;
    expect(document).toMatchObject({
      instanceId: value('instance-id'),
      instanceType: value('instance-type'),
      imageId: value('ami-id'),
      availabilityZone: value('placement/availability-zone'),
      region: value('placement/region'),
      privateIp: value('local-ipv4'),
      accountId: eni('owner-id'),
      version: '2017-09-30',
    });
    const info = JSON.parse(value('iam/info')) as { InstanceProfileArn: string };
    expect(info.InstanceProfileArn).toBe(
      `arn:aws:iam::${eni('owner-id')}:instance-profile/${DEFAULT_INSTANCE.iam?.roleName}`,
    );
  });

  it('serves every entry it lists, in every version cloud-init probes', () => {
    for (const version of ['latest', '2021-03-23', '2018-09-24', '2016-09-02', '2009-04-04']) {
      const seen = crawl((path) => get(path, t), `/${version}/meta-data/`);
      const failures = [...seen].filter(([, response]) => response.status !== 200).map(([path]) => path);
      expect(failures, version).toEqual([]);
      expect(seen.size, version).toBeGreaterThan(version === '2009-04-04' ? 15 : 40);
    }
    const dynamic = crawl((path) => get(path, t), '/latest/dynamic/');
    expect([...dynamic.values()].every((response) => response.status === 200)).toBe(true);
    expect(dynamic.size).toBe(9);
  });

  it('lists the role under iam/security-credentials/ and serves credentials valid for hours', () => {
    expect(value('iam/security-credentials/')).toBe('ec2-imds-demo-role');
    const credentials = JSON.parse(value('iam/security-credentials/ec2-imds-demo-role')) as Record<
      string,
      string
    >;
    expect(credentials.Code).toBe('Success');
    expect(credentials.Type).toBe('AWS-HMAC');
    expect(credentials.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(credentials.SecretAccessKey).toHaveLength(40);
    expect(Date.parse(credentials.Expiration!)).toBeGreaterThan(
      Date.parse('2024-02-27T13:06:06Z') + 3600_000,
    );
  });
});
