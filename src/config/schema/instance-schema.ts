/**
 * The `instance:` block of a configuration: any field of the instance description, each optional
 * (absent fields keep the built-in instance's values), in the forms people write: times as ISO
 * text, user data as text, base64 or a file. Cross-field rules (zone in region, unique MACs) are
 * checked when the instance is built, see `build-instance.ts`.
 */
import * as z from 'zod';
import { USER_DATA_MAX_BYTES } from '../../wire.js';
import { PARTITION_IDS } from '../partitions.js';
import { isAddressOrBlock } from '../../scenarios/faults/peer-address.js';
import { INSTANCE_LIFE_CYCLES } from '../../metadata/instance.js';
import { callerArn, osUser, requestId, sshPublicKey } from './instance-connect-fields.js';
import {
  integer,
  ipv4,
  ipv4Cidr,
  ipv6,
  ipv6Cidr,
  list,
  nonEmpty,
  keyedRecord,
  patterned,
  scalarText,
  timestamp,
} from './fields.js';
import { builtOnce } from './built-once.js';

const hexId = (prefix: string, example: string) =>
  patterned(
    new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`),
    `expected an id such as ${example} (${prefix}- and 8 or 17 lower-case hex digits)`,
  );

/** A MAC address as EC2 writes it: lower case, colon-separated. */
export const MAC_PATTERN = /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/;
const account = () => patterned(/^\d{12}$/, 'expected a 12-digit AWS account id such as 123456789012');

/** One entry of `instance.networkInterfaces`. */
export const networkInterfaceSchema = builtOnce(() =>
  z.strictObject({
    mac: patterned(MAC_PATTERN, 'expected a MAC address in lower case, such as 06:3d:8a:5e:c4:17').optional(),
    interfaceId: hexId('eni', 'eni-0b7d2f4e6a8c1d3e5').optional(),
    deviceNumber: integer(0, 31).optional(),
    networkCardIndex: integer(0, 15).optional(),
    ownerId: account().optional(),
    subnetId: hexId('subnet', 'subnet-0c5e7a9b1d3f2e4a6').optional(),
    subnetIpv4CidrBlock: ipv4Cidr().optional(),
    vpcId: hexId('vpc', 'vpc-0e1f3a5c7b9d2e4f6').optional(),
    vpcIpv4CidrBlocks: list(ipv4Cidr()).min(1, { error: 'expected at least one CIDR block' }).optional(),
    /** Empty for an IPv6-only interface (then `ipv6s` is required). */
    localIpv4s: list(ipv4()).optional(),
    localHostname: nonEmpty('a host name').optional(),
    publicIpv4s: list(ipv4()).optional(),
    publicHostname: nonEmpty('a host name').optional(),
    securityGroups: list(
      z.strictObject({ name: nonEmpty('a security group name'), id: hexId('sg', 'sg-0a2b4c6d8e1f3a5b7') }),
    ).optional(),
    ipv6s: list(ipv6()).optional(),
    subnetIpv6CidrBlocks: list(ipv6Cidr()).optional(),
    vpcIpv6CidrBlocks: list(ipv6Cidr()).optional(),
    ipv4Prefixes: list(ipv4Cidr()).optional(),
    ipv6Prefixes: list(ipv6Cidr()).optional(),
  }),
);
/** A checked network interface entry. */
export type NetworkInterfaceInput = z.output<ReturnType<typeof networkInterfaceSchema>>;

const USER_DATA_FORMS = 'expected user data as text, or a map with one of text, base64 or file';
/** User data: text, `{ text }`, `{ base64 }` or `{ file }` (read byte for byte, relative to the configuration file). */
export const userDataSchema = builtOnce(() =>
  z.preprocess(
    (value) => (typeof value === 'string' ? { text: value } : value),
    z
      .strictObject(
        {
          text: z.string({ error: 'expected text' }).optional(),
          base64: patterned(
            /^[A-Za-z0-9+/\s]*={0,2}\s*$/,
            'expected base64 text (A-Z, a-z, 0-9, +, /, = padding)',
          ).optional(),
          file: nonEmpty('a file path (relative to the configuration file)').optional(),
        },
        { error: USER_DATA_FORMS },
      )
      .superRefine((value, ctx) => {
        const given = Object.keys(value).filter((key) => value[key as keyof typeof value] !== undefined);
        if (given.length !== 1) {
          ctx.addIssue({
            code: 'custom',
            message: `${USER_DATA_FORMS}; got ${given.length === 0 ? 'none' : given.join(' and ')}`,
            params: { final: true },
          });
        }
        if (value.text !== undefined && Buffer.byteLength(value.text) > USER_DATA_MAX_BYTES) {
          ctx.addIssue({
            code: 'custom',
            path: ['text'],
            message: `user data is limited to ${USER_DATA_MAX_BYTES} bytes (16 KiB), got ${Buffer.byteLength(value.text)}`,
            params: { final: true },
          });
        }
      }),
  ),
);
/** Checked user data: exactly one of text, base64, file. */
export type UserDataInput = z.output<ReturnType<typeof userDataSchema>>;

/**
 * Keys EC2 refuses to expose under `tags/instance/`: only letters, digits and `+ - = . , _ : @`,
 * and not `.`, `..` or `_index` (the instance-metadata tag rules, stricter than tags in general).
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/work-with-tags-in-IMDS.html
 */
function tagKeyProblem(key: string): string | undefined {
  if (key.length === 0 || key.length > 128) return 'a tag key has 1 to 128 characters';
  if (key === '.' || key === '..' || key === '_index')
    return `"${key}" cannot be a tag key exposed in metadata`;
  const bad = /[^A-Za-z0-9+\-=.,_:@]/.exec(key);
  if (bad)
    return `a tag key exposed in metadata has only letters, digits and + - = . , _ : @ (not ${JSON.stringify(bad[0])})`;
  return undefined;
}

const tagsSchema = () =>
  keyedRecord(
    scalarText('expected a tag value (text)'),
    'expected a map of tag keys to values, or null for tags not exposed',
  ).superRefine((tags, ctx) => {
    for (const [key, value] of Object.entries(tags)) {
      const problem = tagKeyProblem(key);
      if (problem)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `${problem} (key ${JSON.stringify(key)})`,
          params: { final: true },
        });
      if (value.length > 256)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `a tag value has at most 256 characters, got ${value.length}`,
          params: { final: true },
        });
    }
  });

const BLOCK_DEVICE = /^(?:ami|root|swap|ebs\d+|ephemeral\d+)$/;
const blockDevicesSchema = () =>
  z
    .record(z.string(), nonEmpty('a device name such as /dev/xvda or sdf'), {
      error: 'expected a map of virtual devices (ami, root, ebs1, ephemeral0, swap) to device names',
    })
    .superRefine((devices, ctx) => {
      for (const key of Object.keys(devices)) {
        if (!BLOCK_DEVICE.test(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `expected a virtual device name: ami, root, swap, ebsN or ephemeralN; got ${JSON.stringify(key)}`,
            params: { final: true },
          });
        }
      }
    });

/**
 * `instance.metadataOptions` (and `PATCH /settings` on the control API): the per-instance options
 * of `ModifyInstanceMetadataOptions`, camel-cased, and the callers that count as containers.
 */
export const metadataOptionsSchema = builtOnce(() =>
  z.strictObject(
    {
      httpPutResponseHopLimit: integer(1, 64).optional(),
      instanceMetadataTags: z.enum(['enabled', 'disabled']).optional(),
      httpProtocolIpv6: z.enum(['enabled', 'disabled']).optional(),
      containerClients: list(
        patterned(
          /^[0-9a-fA-F:.]+(?:\/\d{1,3})?$/,
          'expected an address or CIDR block such as 172.17.0.0/16',
        ).refine(isAddressOrBlock, { error: 'expected an address or CIDR block such as 172.17.0.0/16' }),
      ).optional(),
    },
    {
      error:
        'expected a map of httpPutResponseHopLimit, instanceMetadataTags, httpProtocolIpv6, containerClients',
    },
  ),
);

/** The `instance:` block. */
export const instanceSchema = builtOnce(() =>
  z.strictObject(
    {
      accountId: account().optional(),
      instanceId: hexId('i', 'i-0410f3c9b2d5e8a71').optional(),
      instanceType: patterned(
        /^[a-z0-9-]+\.[a-z0-9-]+$/,
        'expected an instance type such as t3.micro',
      ).optional(),
      instanceLifeCycle: z.enum(INSTANCE_LIFE_CYCLES).optional(),
      instanceAction: nonEmpty('an instance action such as none').optional(),
      architecture: z.enum(['x86_64', 'arm64', 'i386']).optional(),
      amiId: hexId('ami', 'ami-0d52744d6551d851e').optional(),
      amiLaunchIndex: integer(0).optional(),
      amiManifestPath: nonEmpty().optional(),
      ancestorAmiIds: list(hexId('ami', 'ami-0d52744d6551d851e')).optional(),
      kernelId: hexId('aki', 'aki-5c21674b').optional(),
      ramdiskId: hexId('ari', 'ari-4b4f4c39').optional(),
      productCodes: list(nonEmpty('a product code')).optional(),
      billingProducts: list(
        patterned(/^bp-[0-9a-f]{8}$/, 'expected a billing product such as bp-6ba54002'),
      ).optional(),
      marketplaceProductCodes: list(nonEmpty('a product code')).optional(),
      reservationId: hexId('r', 'r-0a4c2e7b9d1f3a5c6').optional(),
      launchTime: timestamp().optional(),
      region: patterned(
        /^[a-z]{2,4}(?:-[a-z]+)+-\d+$/,
        'expected a region such as ap-northeast-1',
      ).optional(),
      availabilityZone: patterned(
        /^[a-z]{2,4}(?:-[a-z0-9]+)+[a-z]$/,
        'expected an availability zone such as ap-northeast-1a',
      ).optional(),
      availabilityZoneId: patterned(
        /^[a-z]+\d+-(?:[a-z0-9]+-)?az\d+$/,
        'expected an availability zone id such as apne1-az4',
      ).optional(),
      placementGroupName: nonEmpty('a placement group name').optional(),
      partitionNumber: integer(1, 7).optional(),
      hostId: hexId('h', 'h-0123456789abcdef0').optional(),
      hostname: nonEmpty('a host name').optional(),
      profile: nonEmpty().optional(),
      system: nonEmpty().optional(),
      hibernationConfigured: z.boolean({ error: 'expected true or false' }).optional(),
      metricsVhostmd: z.string({ error: 'expected text' }).optional(),
      services: z
        .strictObject({
          domain: nonEmpty('a domain such as amazonaws.com').optional(),
          partition: z.enum(PARTITION_IDS).optional(),
        })
        .optional(),
      blockDeviceMapping: blockDevicesSchema().optional(),
      networkInterfaces: list(networkInterfaceSchema())
        .min(1, { error: 'expected at least one network interface' })
        .optional(),
      iam: z
        .strictObject(
          {
            roleName: patterned(
              /^[\w+=,.@-]{1,64}$/,
              'expected an IAM role name (1 to 64 of letters, digits and +=,.@_-)',
            ),
            instanceProfileArn: patterned(
              /^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/.+$/,
              'expected an instance profile ARN such as arn:aws:iam::123456789012:instance-profile/my-role',
            ).optional(),
            instanceProfileId: patterned(
              /^AIPA[A-Z0-9]{16,17}$/,
              'expected an instance profile id such as AIPAZ3M5Q7S9U2W4Y6A8C',
            ).optional(),
          },
          {
            error:
              'expected a map with roleName (and optionally instanceProfileArn, instanceProfileId), or null for no role',
          },
        )
        .nullable()
        .optional(),
      identityCredentials: z.boolean({ error: 'expected true or false' }).optional(),
      extendedCredentials: z.boolean({ error: 'expected true or false' }).optional(),
      metadataOptions: metadataOptionsSchema().optional(),
      publicKeys: list(
        z.strictObject({
          name: nonEmpty('a key pair name'),
          openssh: patterned(
            /^(?:ssh-|ecdsa-)\S+ \S+/,
            'expected an OpenSSH public key such as "ssh-ed25519 AAAA... name"',
          ),
        }),
      ).optional(),
      instanceConnectKeys: list(
        z.strictObject(
          {
            user: osUser(),
            publicKey: sshPublicKey(),
            pushed: timestamp().optional(),
            expires: timestamp(),
            caller: callerArn().optional(),
            requestId: requestId().optional(),
          },
          {
            error:
              'expected a map with user, publicKey and expires (and optionally pushed, caller, requestId)',
          },
        ),
      ).optional(),
      tags: tagsSchema().nullable().optional(),
      userData: userDataSchema().optional(),
      monitoring: z.enum(['enabled', 'disabled']).optional(),
    },
    { error: 'expected a map of instance fields' },
  ),
);
/** A checked `instance:` block. */
export type InstanceInput = z.output<ReturnType<typeof instanceSchema>>;
