import { describe, expect, it } from 'vitest';
import { cidrContains, ipv4BlockAround } from '../../src/config/cidr.js';
import { configFromData } from '../../src/config/load-file.js';
import { partitionOf } from '../../src/config/partitions.js';
import type { ConfigProblem } from '../../src/config/problem.js';
import type { InstanceDescription } from '../../src/metadata/instance.js';
import { inProcess, text } from '../helpers/in-process.js';

/** The instance a configuration's `instance:` block builds, or a failure naming its problems. */
function built(instance: Record<string, unknown>): InstanceDescription {
  const result = configFromData({ instance });
  if ('problems' in result) throw new Error(JSON.stringify(result.problems));
  return result.config.instance;
}
function problems(instance: Record<string, unknown>): ConfigProblem[] {
  const result = configFromData({ instance });
  if (!('problems' in result)) throw new Error('expected problems, the configuration was accepted');
  return result.problems;
}
const metadata = (instance: InstanceDescription) => {
  const { get, token } = inProcess({ instance });
  const t = token();
  return (path: string) => {
    const response = get(path.startsWith('/') ? path : `/latest/meta-data/${path}`, t);
    return response.status === 200 ? text(response) : response.status;
  };
};

describe('partitions from the region', () => {
  it.each([
    ['ap-northeast-1', 'aws', 'amazonaws.com'],
    ['us-east-1', 'aws', 'amazonaws.com'],
    ['cn-north-1', 'aws-cn', 'amazonaws.com.cn'],
    ['cn-northwest-1', 'aws-cn', 'amazonaws.com.cn'],
    ['us-gov-west-1', 'aws-us-gov', 'amazonaws.com'],
    ['us-iso-east-1', 'aws-iso', 'c2s.ic.gov'],
    ['us-isob-east-1', 'aws-iso-b', 'sc2s.sgov.gov'],
    ['eu-isoe-west-1', 'aws-iso-e', 'cloud.adc-e.uk'],
    ['us-isof-south-1', 'aws-iso-f', 'csp.hci.ic.gov'],
    ['eusc-de-east-1', 'aws-eusc', 'amazonaws.eu'],
  ])('%s is in %s with domain %s, everywhere in the tree', (region, partition, domain) => {
    expect(partitionOf(region)).toMatchObject({ id: partition, dnsSuffix: domain });
    const read = metadata(built({ region }));
    expect(read('services/partition')).toBe(partition);
    expect(read('services/domain')).toBe(domain);
    expect(JSON.parse(String(read('iam/info'))).InstanceProfileArn).toMatch(
      new RegExp(`^arn:${partition}:iam::123456789012:instance-profile/`),
    );
    expect(JSON.parse(String(read('/latest/dynamic/instance-identity/document'))).region).toBe(region);
    expect(read('placement/availability-zone')).toBe(`${region}a`);
  });

  it('China: hostnames under compute.amazonaws.com.cn, zone id cnn1-az1', () => {
    const read = metadata(
      built({ region: 'cn-north-1', networkInterfaces: [{ localIpv4s: ['172.31.40.7'] }] }),
    );
    expect(read('public-hostname')).toBe('ec2-54-250-83-127.cn-north-1.compute.amazonaws.com.cn');
    expect(read('local-hostname')).toBe('ip-172-31-40-7.cn-north-1.compute.internal');
    expect(read('placement/availability-zone-id')).toBe('cnn1-az1');
  });

  it('us-east-1 names hosts ec2.internal and compute-1.amazonaws.com', () => {
    const read = metadata(built({ region: 'us-east-1' }));
    expect(read('local-hostname')).toBe('ip-172-31-38-15.ec2.internal');
    expect(read('hostname')).toBe('ip-172-31-38-15.ec2.internal');
    expect(read('public-hostname')).toBe('ec2-54-250-83-127.compute-1.amazonaws.com');
  });

  it('a partition or ARN that contradicts the region is refused, naming the field', () => {
    expect(problems({ region: 'cn-north-1', services: { partition: 'aws' } })).toEqual([
      {
        path: ['instance', 'services', 'partition'],
        message:
          'region cn-north-1 is in partition aws-cn, not aws; leave services.partition out to derive it',
      },
    ]);
    const [arn] = problems({
      region: 'us-gov-west-1',
      iam: { roleName: 'r', instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/r' },
    });
    expect(arn?.path).toEqual(['instance', 'iam', 'instanceProfileArn']);
    expect(arn?.message).toContain('not in partition aws-us-gov');
  });
});

describe('subnet and VPC blocks', () => {
  it('CIDR helpers', () => {
    expect(ipv4BlockAround('10.0.1.25', 24)).toBe('10.0.1.0/24');
    expect(ipv4BlockAround('10.0.1.25', 16)).toBe('10.0.0.0/16');
    expect(ipv4BlockAround('172.31.38.15', 20)).toBe('172.31.32.0/20');
    expect(cidrContains('10.0.0.0/16', '10.0.1.0/24')).toBe(true);
    expect(cidrContains('10.0.1.0/24', '10.0.0.0/16')).toBe(false);
    expect(cidrContains('10.0.1.0/24', '10.0.2.1')).toBe(false);
    expect(cidrContains('2406:da14:abc:de00::/56', '2406:da14:abc:de01::/64')).toBe(true);
    expect(cidrContains('2406:da14:abc:de00::/56', '2406:da14:abc:df00::1')).toBe(false);
    expect(cidrContains('10.0.0.0/8', '2406:da14::1')).toBe(false);
  });

  it('are derived from the addresses when not given, and agree with them', () => {
    const instance = built({
      networkInterfaces: [
        { localIpv4s: ['10.0.1.25', '10.0.1.26'] },
        { mac: '0a:1b:2c:3d:4e:60', localIpv4s: ['10.0.2.25'] },
      ],
    });
    const [first, second] = instance.networkInterfaces;
    expect(first).toMatchObject({ subnetIpv4CidrBlock: '10.0.1.0/24', vpcIpv4CidrBlocks: ['10.0.0.0/16'] });
    expect(second).toMatchObject({ subnetIpv4CidrBlock: '10.0.2.0/24', vpcIpv4CidrBlocks: ['10.0.0.0/16'] });
    expect(first?.subnetId).not.toBe(second?.subnetId);
    expect(first?.vpcId).toBe(second?.vpcId);
    expect(first?.subnetId).toMatch(/^subnet-[0-9a-f]{17}$/);
  });

  it('the built-in addresses keep the built-in subnet and its id', () => {
    const [eni] = built({ networkInterfaces: [{ localIpv4s: ['172.31.40.7'] }] }).networkInterfaces;
    expect(eni).toMatchObject({
      subnetIpv4CidrBlock: '172.31.32.0/20',
      subnetId: 'subnet-0c5e7a9b1d3f2e4a6',
      vpcId: 'vpc-0e1f3a5c7b9d2e4f6',
    });
  });

  it('an address outside the given subnet, or a subnet outside the VPC, is refused naming interface and field', () => {
    expect(
      problems({ networkInterfaces: [{ localIpv4s: ['10.0.1.25'], subnetIpv4CidrBlock: '172.31.32.0/20' }] }),
    ).toEqual([
      {
        path: ['instance', 'networkInterfaces', 0, 'localIpv4s', 0],
        message: "10.0.1.25 is outside the subnet's block 172.31.32.0/20 (subnetIpv4CidrBlock)",
      },
    ]);
    expect(
      problems({
        networkInterfaces: [
          {
            localIpv4s: ['10.0.1.25'],
            subnetIpv4CidrBlock: '10.0.1.0/24',
            vpcIpv4CidrBlocks: ['10.9.0.0/16'],
          },
        ],
      }),
    ).toEqual([
      {
        path: ['instance', 'networkInterfaces', 0, 'subnetIpv4CidrBlock'],
        message: "the subnet's block 10.0.1.0/24 is outside the VPC's blocks (10.9.0.0/16)",
      },
    ]);
    const [ipv6] = problems({
      networkInterfaces: [{ ipv6s: ['2406:da14:1::1'], subnetIpv6CidrBlocks: ['2406:da14:abc:de00::/64'] }],
    });
    expect(ipv6?.path).toEqual(['instance', 'networkInterfaces', 0, 'ipv6s', 0]);
  });

  it('one subnet id with two different blocks is refused', () => {
    const found = problems({
      networkInterfaces: [
        { localIpv4s: ['10.0.1.25'], subnetId: 'subnet-0123456789abcdef0' },
        { mac: '0a:1b:2c:3d:4e:60', localIpv4s: ['10.0.2.25'], subnetId: 'subnet-0123456789abcdef0' },
      ],
    });
    expect(found.map((problem) => problem.path)).toEqual([['instance', 'networkInterfaces', 1, 'subnetId']]);
  });
});

describe('prefix delegation, network cards, IPv6-only', () => {
  it('ipv4-prefix and ipv6-prefix list the delegated blocks (404 when none), and must lie in the subnet', () => {
    const read = metadata(
      built({
        networkInterfaces: [
          {
            ipv4Prefixes: ['172.31.33.16/28', '172.31.33.32/28'],
            ipv6s: ['2406:da14:abc:de00::1'],
            subnetIpv6CidrBlocks: ['2406:da14:abc:de00::/64'],
            ipv6Prefixes: ['2406:da14:abc:de00:1::/80'],
          },
        ],
      }),
    );
    const mac = '/latest/meta-data/network/interfaces/macs/06:3d:8a:5e:c4:17/';
    expect(read(`${mac}ipv4-prefix`)).toBe('172.31.33.16/28\n172.31.33.32/28');
    expect(read(`${mac}ipv6-prefix`)).toBe('2406:da14:abc:de00:1::/80');
    expect(read('/2021-03-23/meta-data/network/interfaces/macs/06:3d:8a:5e:c4:17/ipv4-prefix')).toBe(404);
    expect(metadata(built({}))(`${mac}ipv4-prefix`)).toBe(404);
    const [outside] = problems({ networkInterfaces: [{ ipv4Prefixes: ['10.0.0.16/28'] }] });
    expect(outside?.path).toEqual(['instance', 'networkInterfaces', 0, 'ipv4Prefixes', 0]);
  });

  it('network-card and network-card-index: from 2020-11-01, absent in /2020-10-27/', () => {
    const read = metadata(
      built({
        instanceType: 'p5.48xlarge',
        networkInterfaces: [
          {},
          { mac: '0a:1b:2c:3d:4e:60', localIpv4s: ['172.31.40.9'], networkCardIndex: 3 },
        ],
      }),
    );
    const second = 'network/interfaces/macs/0a:1b:2c:3d:4e:60/';
    expect(read(`${second}network-card`)).toBe('3');
    expect(read(`${second}network-card-index`)).toBe('3');
    expect(read(`/2021-01-03/meta-data/${second}network-card-index`)).toBe('3');
    expect(read(`/2020-10-27/meta-data/${second}network-card-index`)).toBe(404);
    expect(String(read(`/2020-10-27/meta-data/${second}`)).split('\n')).not.toContain('network-card-index');
  });

  it('an IPv6-only instance: no local-ipv4(s), resource-based hostnames, privateIp null', () => {
    const instance = built({
      region: 'us-west-2',
      instanceId: 'i-0123456789abcdef0',
      networkInterfaces: [
        {
          localIpv4s: [],
          ipv6s: ['2600:1f14:abc:de00::10'],
          subnetIpv6CidrBlocks: ['2600:1f14:abc:de00::/64'],
          vpcIpv6CidrBlocks: ['2600:1f14:abc:de00::/56'],
        },
      ],
    });
    const read = metadata(instance);
    const mac = 'network/interfaces/macs/06:3d:8a:5e:c4:17/';
    expect(read('local-ipv4')).toBe(404);
    expect(read('public-ipv4')).toBe(404);
    expect(read(`${mac}local-ipv4s`)).toBe(404);
    expect(read(`${mac}subnet-ipv4-cidr-block`)).toBe(404);
    expect(read('ipv6')).toBe('2600:1f14:abc:de00::10');
    expect(read('local-hostname')).toBe('i-0123456789abcdef0.us-west-2.compute.internal');
    expect(read('hostname')).toBe('i-0123456789abcdef0.us-west-2.compute.internal');
    expect(JSON.parse(String(read('/latest/dynamic/instance-identity/document'))).privateIp).toBeNull();
  });

  it('an interface with neither IPv4 nor IPv6 addresses is refused', () => {
    expect(problems({ networkInterfaces: [{ localIpv4s: [] }] })).toEqual([
      {
        path: ['instance', 'networkInterfaces', 0, 'localIpv4s'],
        message: 'empty and no ipv6s: an interface needs private IPv4 addresses or IPv6 addresses',
      },
    ]);
  });
});

describe('instance-life-cycle and metadata tag keys', () => {
  it.each(['on-demand', 'spot', 'scheduled', 'capacity-block'])(
    'instance-life-cycle %s is accepted and served',
    (value) => {
      expect(metadata(built({ instanceLifeCycle: value }))('instance-life-cycle')).toBe(value);
    },
  );

  it('an unknown purchasing option is refused', () => {
    expect(problems({ instanceLifeCycle: 'reserved' })[0]?.path).toEqual(['instance', 'instanceLifeCycle']);
  });

  it('tag keys use the metadata character set: letters, digits, + - = . , _ : @', () => {
    expect(
      metadata(built({ tags: { 'aws:autoscaling:groupName': 'g', 'a+b=c,d@e_f.g-h': 'x' } }))(
        'tags/instance',
      ),
    ).toBe('aws:autoscaling:groupName\na+b=c,d@e_f.g-h');
    for (const key of ['has space', 'a/b', 'é', 'a#b', '_index', '..']) {
      const [problem] = problems({ tags: { [key]: 'v' } });
      expect(problem?.path).toEqual(['instance', 'tags', key]);
    }
  });
});
