import { describe, it } from 'vitest';
import { configFromData } from '../../src/config/load-file.js';
import { crawl } from '../helpers/crawl.js';
import { expectGolden } from '../helpers/golden.js';
import { inProcess, wireText } from '../helpers/in-process.js';

/**
 * Whole crawls of four instances that exercise the partition and network rules: every path a
 * crawler reaches under `meta-data/` and `dynamic/`, each whole response (status, headers, body).
 * What differs per run is masked: signature bodies (fresh keys), credential values (fresh secret).
 */
const INSTANCES: Record<string, Record<string, unknown>> = {
  china: {
    region: 'cn-north-1',
    availabilityZone: 'cn-north-1b',
    accountId: '337012345678',
    instanceId: 'i-0c1a2b3c4d5e6f708',
    instanceType: 'c6i.large',
    amiId: 'ami-0a1b2c3d4e5f60718',
    iam: { roleName: 'app-node' },
    tags: { Name: 'app-1' },
    networkInterfaces: [
      { mac: '02:1c:3a:5b:7d:9e', localIpv4s: ['10.20.3.41'], publicIpv4s: ['52.80.11.12'] },
    ],
  },
  govcloud: {
    region: 'us-gov-west-1',
    accountId: '048012345678',
    instanceId: 'i-0e9d8c7b6a5f40312',
    instanceType: 'm6i.xlarge',
    iam: { roleName: 'gov-worker' },
    networkInterfaces: [
      {
        mac: '06:a1:b2:c3:d4:e5',
        localIpv4s: ['10.1.16.9'],
        subnetIpv4CidrBlock: '10.1.16.0/20',
        vpcIpv4CidrBlocks: ['10.1.0.0/16'],
        publicIpv4s: ['15.200.1.2'],
      },
    ],
  },
  'ipv6-only': {
    region: 'us-west-2',
    instanceId: 'i-0123456789abcdef0',
    instanceType: 'm7g.large',
    architecture: 'arm64',
    iam: null,
    networkInterfaces: [
      {
        mac: '0a:6e:11:22:33:44',
        localIpv4s: [],
        ipv6s: ['2600:1f14:abc:de00::10'],
        subnetIpv6CidrBlocks: ['2600:1f14:abc:de00::/64'],
        vpcIpv6CidrBlocks: ['2600:1f14:abc:de00::/56'],
        vpcIpv4CidrBlocks: ['10.8.0.0/16'],
      },
    ],
  },
  'multi-card': {
    region: 'us-east-1',
    availabilityZone: 'us-east-1d',
    instanceId: 'i-05f5e4d3c2b1a0987',
    instanceType: 'p5.48xlarge',
    networkInterfaces: [
      {
        mac: '0e:10:00:00:00:01',
        localIpv4s: ['10.0.0.10'],
        subnetIpv4CidrBlock: '10.0.0.0/20',
        vpcIpv4CidrBlocks: ['10.0.0.0/16'],
        publicIpv4s: ['3.80.1.2'],
        ipv4Prefixes: ['10.0.4.0/28'],
      },
      {
        mac: '0e:10:00:00:01:01',
        deviceNumber: 1,
        networkCardIndex: 1,
        localIpv4s: ['10.0.16.10'],
        subnetIpv4CidrBlock: '10.0.16.0/20',
        vpcIpv4CidrBlocks: ['10.0.0.0/16'],
      },
      {
        mac: '0e:10:00:00:02:01',
        deviceNumber: 2,
        networkCardIndex: 2,
        localIpv4s: ['10.0.16.11'],
        subnetIpv4CidrBlock: '10.0.16.0/20',
        vpcIpv4CidrBlocks: ['10.0.0.0/16'],
        ipv6s: ['2600:1f18:1:2::b'],
        subnetIpv6CidrBlocks: ['2600:1f18:1:2::/64'],
        ipv6Prefixes: ['2600:1f18:1:2:1::/80'],
      },
    ],
  },
};

const SIGNED = /\/instance-identity\/(?:signature|pkcs7|rsa2048|dsa2048)$/;

/** A crawl as one text: `### <path>` then the response on the wire, with per-run values masked. */
function crawlText(instance: Record<string, unknown>): string {
  const config = configFromData({ instance });
  if ('problems' in config) throw new Error(JSON.stringify(config.problems));
  const { get, token } = inProcess({ instance: config.config.instance });
  const t = token();
  const seen = new Map([
    ...crawl((path) => get(path, t), '/latest/meta-data/'),
    ...crawl((path) => get(path, t), '/latest/dynamic/'),
  ]);
  return [...seen]
    .map(([path, response]) => {
      let wire = wireText(response);
      if (SIGNED.test(path))
        wire = wire
          .replace(/Content-Length: \d+/, 'Content-Length: <n>')
          .replace(/\r\n\r\n[\s\S]*$/, '\r\n\r\n<signature>');
      wire = wire
        .replace(/"AccessKeyId" : "ASIA[A-Z2-7]{16}"/g, '"AccessKeyId" : "ASIA<16>"')
        .replace(/"SecretAccessKey" : "[A-Za-z0-9+/=]{40}"/g, '"SecretAccessKey" : "<40>"')
        .replace(/"Token" : "IQoJb3JpZ2luX2VjE[A-Za-z0-9+/=]+"/g, '"Token" : "IQoJb3JpZ2luX2VjE<token>"');
      return `### ${path}\n${wire}\n`;
    })
    .join('\n');
}

describe('whole-crawl goldens', () => {
  it.each(Object.keys(INSTANCES))('%s instance', (name) => {
    expectGolden(`instances/${name}`, crawlText(INSTANCES[name] as Record<string, unknown>));
  });
});
