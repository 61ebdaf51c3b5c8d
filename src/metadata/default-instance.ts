import type { InstanceDescription } from './instance.js';

/**
 * The built-in instance: the one captured in the seed article (an on-demand instance in Tokyo
 * with an IAM role, a public IPv4 and a key pair, no tags exposed, no IPv6, no spot notice, not in
 * an Auto Scaling group). Its `meta-data/` listing has exactly the 26 entries of that capture.
 * Ids have the real shapes (17 hex digits after the prefix) and every value agrees with the others.
 * The launch time is the capture's `Last-Modified`.
 */
export const DEFAULT_INSTANCE: InstanceDescription = Object.freeze({
  accountId: '123456789012',
  instanceId: 'i-0410f3c9b2d5e8a71',
  instanceType: 't3.micro',
  instanceLifeCycle: 'on-demand',
  instanceAction: 'none',
  architecture: 'x86_64',
  amiId: 'ami-0d52744d6551d851e',
  amiLaunchIndex: 0,
  amiManifestPath: '(unknown)',
  reservationId: 'r-0a4c2e7b9d1f3a5c6',
  launchTime: Date.UTC(2024, 1, 27, 12, 6, 18),
  region: 'ap-northeast-1',
  availabilityZone: 'ap-northeast-1a',
  availabilityZoneId: 'apne1-az4',
  hostname: 'ip-172-31-38-15.ap-northeast-1.compute.internal',
  profile: 'default-hvm',
  system: 'nitro',
  metricsVhostmd: '<?xml version="1.0" encoding="UTF-8"?>',
  services: { domain: 'amazonaws.com', partition: 'aws' },
  blockDeviceMapping: { ami: '/dev/xvda', root: '/dev/xvda' },
  networkInterfaces: [
    {
      mac: '06:3d:8a:5e:c4:17',
      interfaceId: 'eni-0b7d2f4e6a8c1d3e5',
      deviceNumber: 0,
      networkCardIndex: 0,
      ownerId: '123456789012',
      subnetId: 'subnet-0c5e7a9b1d3f2e4a6',
      subnetIpv4CidrBlock: '172.31.32.0/20',
      vpcId: 'vpc-0e1f3a5c7b9d2e4f6',
      vpcIpv4CidrBlocks: ['172.31.0.0/16'],
      localIpv4s: ['172.31.38.15'],
      localHostname: 'ip-172-31-38-15.ap-northeast-1.compute.internal',
      publicIpv4s: ['54.250.83.127'],
      publicHostname: 'ec2-54-250-83-127.ap-northeast-1.compute.amazonaws.com',
      securityGroups: [{ name: 'launch-wizard-1', id: 'sg-0a2b4c6d8e1f3a5b7' }],
    },
  ],
  iam: {
    roleName: 'ec2-imds-demo-role',
    instanceProfileArn: 'arn:aws:iam::123456789012:instance-profile/ec2-imds-demo-role',
    instanceProfileId: 'AIPAZ3M5Q7S9U2W4Y6A8C',
  },
  credentialRotation: { rotationSeconds: 3600, lifetimeSeconds: 6 * 3600, jitterSeconds: 15 * 60 },
  identityCredentials: true,
  publicKeys: [
    {
      name: 'my-key',
      openssh: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq4c0SlnD9PqZ6f3J0kT1o8vW2xY5bN7mC4dE6fG8hJ my-key',
    },
  ],
  monitoring: 'disabled',
  maintenanceEvents: [],
});
