import { DEFAULT_INSTANCE } from '../metadata/default-instance.js';
import type {
  CredentialRotation,
  IamProfile,
  InstanceDescription,
  NetworkInterface,
} from '../metadata/instance.js';
import { USER_DATA_MAX_BYTES } from '../wire.js';
import { cidrContains, ipv4BlockAround } from './cidr.js';
import {
  derivedId,
  interfaceIdFor,
  privateHostname,
  publicHostname,
  regionOfZone,
  resourceHostname,
  zoneIdFor,
} from './derive-names.js';
import { partitionOf } from './partitions.js';
import { defaultCaller, derivedRequestId } from '../scenarios/instance-connect-key.js';
import type { ConfigProblem } from './problem.js';
import type { InstanceInput, NetworkInterfaceInput, UserDataInput } from './schema/instance-schema.js';

/** What the instance is built from besides the `instance:` block. */
export interface InstanceExtras {
  /** `credentials:` rotation period, lifetime and lifetime jitter, in milliseconds. */
  readonly credentials?:
    | {
        readonly rotateEvery?: number | undefined;
        readonly lifetime?: number | undefined;
        readonly jitter?: number | undefined;
      }
    | undefined;
  /** `remove:` then `set:`, as tree paths. */
  readonly remove?: readonly string[] | undefined;
  readonly set?: Readonly<Record<string, string>> | undefined;
}

/** How to read a user-data file named in the configuration (relative to the file). */
export type ReadUserDataFile = (path: string) => Uint8Array;

const D = DEFAULT_INSTANCE;
const D_ENI = D.networkInterfaces[0] as NetworkInterface;

/**
 * The instance a configuration describes: the built-in instance with the given fields replaced,
 * derived values (hostnames, zone id, profile ARN) following the fields they derive from, and the
 * rules that span fields checked (zone in region, one MAC per interface, a private address per
 * public one, credentials that outlive their rotation). Problems carry key paths from the top of
 * the configuration.
 */
export function buildInstance(
  input: InstanceInput = {},
  extras: InstanceExtras = {},
  readFile: ReadUserDataFile = () => {
    throw new Error('no file access');
  },
): { instance: InstanceDescription; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const at = (...path: (string | number)[]) => ['instance', ...path];

  const zoneGiven = input.availabilityZone;
  const region = input.region ?? (zoneGiven ? regionOfZone(zoneGiven) : D.region);
  const availabilityZone = zoneGiven ?? (input.region ? `${region}a` : D.availabilityZone);
  if (!availabilityZone.startsWith(region) || !/^[a-z]+$/.test(availabilityZone.slice(region.length))) {
    problems.push({
      path: at('availabilityZone'),
      message: `${JSON.stringify(availabilityZone)} is not a zone of region ${JSON.stringify(region)}; expected a zone such as ${region}a`,
    });
  }
  const availabilityZoneId =
    input.availabilityZoneId ??
    (input.region || zoneGiven ? zoneIdFor(availabilityZone, region) : D.availabilityZoneId);
  const accountId = input.accountId ?? D.accountId;
  const partition = partitionOf(region);
  const services = {
    domain: input.services?.domain ?? partition.dnsSuffix,
    partition: input.services?.partition ?? partition.id,
  };
  if (services.partition !== partition.id)
    problems.push({
      path: at('services', 'partition'),
      message: `region ${region} is in partition ${partition.id}, not ${services.partition}; leave services.partition out to derive it`,
    });

  const networkInterfaces = (input.networkInterfaces ?? [{}]).map((eni, index) =>
    buildInterface(
      eni,
      index,
      { accountId, region, instanceId: input.instanceId ?? D.instanceId },
      (path, message) => problems.push({ path: at('networkInterfaces', index, ...path), message }),
    ),
  );
  const seenMacs = new Map<string, number>();
  const seenDevices = new Map<number, number>();
  networkInterfaces.forEach((eni, index) => {
    const macTwin = seenMacs.get(eni.mac);
    if (macTwin !== undefined)
      problems.push({
        path: at('networkInterfaces', index, 'mac'),
        message: `${eni.mac} is already the MAC of networkInterfaces[${macTwin}]; each interface needs its own`,
      });
    else seenMacs.set(eni.mac, index);
    const deviceTwin = seenDevices.get(eni.deviceNumber);
    if (deviceTwin !== undefined)
      problems.push({
        path: at('networkInterfaces', index, 'deviceNumber'),
        message: `device number ${eni.deviceNumber} is already used by networkInterfaces[${deviceTwin}]`,
      });
    else seenDevices.set(eni.deviceNumber, index);
  });
  const subnetBlocks = new Map<string, { block: string; index: number }>();
  networkInterfaces.forEach((eni, index) => {
    const block = eni.subnetIpv4CidrBlock ?? eni.subnetIpv6CidrBlocks?.[0];
    if (block === undefined) return;
    const twin = subnetBlocks.get(eni.subnetId);
    if (twin === undefined) subnetBlocks.set(eni.subnetId, { block, index });
    else if (twin.block !== block)
      problems.push({
        path: at('networkInterfaces', index, 'subnetId'),
        message: `${eni.subnetId} is networkInterfaces[${twin.index}]'s subnet, whose block is ${twin.block}, not ${block}; one subnet has one block`,
      });
  });
  const primary = [...networkInterfaces].sort(
    (a, b) => a.deviceNumber - b.deviceNumber,
  )[0] as NetworkInterface;

  const rotation = credentialRotation(extras.credentials, problems);
  const overrides = overridesOf(extras);
  const userData = input.userData ? readUserData(input.userData, readFile, problems) : undefined;

  const {
    userData: _u,
    iam: _i,
    tags: _t,
    services: _s,
    networkInterfaces: _n,
    launchTime: _l,
    instanceConnectKeys: _k,
    ...plain
  } = input;
  const instance: InstanceDescription = {
    ...D,
    ...plain,
    accountId,
    region,
    availabilityZone,
    availabilityZoneId,
    launchTime: input.launchTime ?? D.launchTime,
    hostname: input.hostname ?? primary.localHostname,
    services,
    networkInterfaces,
    credentialRotation: rotation,
    iam: iamOf(input.iam, accountId, partition.id, (message) =>
      problems.push({ path: at('iam', 'instanceProfileArn'), message }),
    ),
    tags: input.tags === null ? undefined : (input.tags ?? D.tags),
    userData: userData ?? D.userData,
    ...(overrides ? { overrides } : {}),
  };
  const keys = input.instanceConnectKeys?.map((key, index) => {
    const pushedAt = key.pushed ?? instance.launchTime;
    if (key.expires <= pushedAt)
      problems.push({
        path: at('instanceConnectKeys', index, 'expires'),
        message:
          'the key expires before it is pushed: expires must be later than pushed (or the launch time)',
      });
    return {
      user: key.user,
      publicKey: key.publicKey,
      pushedAt,
      expiresAt: key.expires,
      caller: key.caller ?? defaultCaller(instance),
      requestId: key.requestId ?? derivedRequestId(`instance\0${index}\0${key.user}\0${key.publicKey}`),
    };
  });
  return {
    instance: stripUndefined(keys ? { ...instance, instanceConnectKeys: keys } : instance),
    problems,
  };
}

function buildInterface(
  eni: NetworkInterfaceInput,
  index: number,
  context: { accountId: string; region: string; instanceId: string },
  report: (path: (string | number)[], message: string) => void,
): NetworkInterface {
  if (index > 0 && eni.mac === undefined)
    report(['mac'], 'missing; each network interface after the first needs its own mac');
  if (index > 0 && eni.localIpv4s === undefined)
    report(
      ['localIpv4s'],
      'missing; each network interface after the first needs its own private addresses ([] for an IPv6-only one)',
    );
  const base: NetworkInterface =
    index === 0 ? D_ENI : { ...D_ENI, publicIpv4s: [], publicHostname: undefined };
  const mac = eni.mac ?? (index === 0 ? D_ENI.mac : `06:00:00:00:00:${index.toString(16).padStart(2, '0')}`);
  const localIpv4s = eni.localIpv4s ?? base.localIpv4s;
  const publicIpv4s = eni.publicIpv4s ?? (localIpv4s.length === 0 ? [] : base.publicIpv4s);
  const ipv6Only = localIpv4s.length === 0;
  if (ipv6Only && !eni.ipv6s?.length)
    report(['localIpv4s'], 'empty and no ipv6s: an interface needs private IPv4 addresses or IPv6 addresses');
  if (ipv6Only && eni.subnetIpv4CidrBlock !== undefined)
    report(
      ['subnetIpv4CidrBlock'],
      'an IPv6-only interface (localIpv4s: []) sits in an IPv6-only subnet, which has no IPv4 block; leave it out',
    );
  if (publicIpv4s.length > localIpv4s.length) {
    report(
      ['publicIpv4s'],
      `${publicIpv4s.length} public addresses but ${localIpv4s.length} private ones; each public address is associated with a private address`,
    );
  }
  const network = interfaceNetwork(eni, localIpv4s, ipv6Only, report);
  const firstPublic = publicIpv4s[0];
  const firstPrivate = localIpv4s[0];
  return stripUndefined({
    ...base,
    ...eni,
    ...network,
    // Absent on an IPv6-only interface even though the built-in interface has one.
    subnetIpv4CidrBlock: network.subnetIpv4CidrBlock,
    mac,
    interfaceId: eni.interfaceId ?? (index === 0 ? D_ENI.interfaceId : interfaceIdFor(mac)),
    deviceNumber: eni.deviceNumber ?? index,
    networkCardIndex: eni.networkCardIndex ?? 0,
    ownerId: eni.ownerId ?? context.accountId,
    localIpv4s,
    localHostname:
      eni.localHostname ??
      (firstPrivate === undefined
        ? resourceHostname(context.instanceId, context.region)
        : privateHostname(firstPrivate, context.region)),
    publicIpv4s,
    publicHostname:
      eni.publicHostname ?? (firstPublic ? publicHostname(firstPublic, context.region) : undefined),
  });
}

/**
 * The interface's subnet and VPC: blocks as given, or derived from its addresses (the built-in
 * `172.31.32.0/20` in `172.31.0.0/16` when they fit, else the `/24` around the first address in
 * the `/16` around that); ids derived from the blocks when the blocks are not the built-in ones.
 * Every address and prefix must lie in its subnet, and the subnet in the VPC.
 */
function interfaceNetwork(
  eni: NetworkInterfaceInput,
  localIpv4s: readonly string[],
  ipv6Only: boolean,
  report: (path: (string | number)[], message: string) => void,
): Pick<
  NetworkInterface,
  'subnetId' | 'subnetIpv4CidrBlock' | 'vpcId' | 'vpcIpv4CidrBlocks' | 'ipv4Prefixes' | 'ipv6Prefixes'
> {
  const defaultSubnet = D_ENI.subnetIpv4CidrBlock as string;
  const first = localIpv4s[0];
  const subnet = ipv6Only
    ? undefined
    : (eni.subnetIpv4CidrBlock ??
      (localIpv4s.every((ip) => cidrContains(defaultSubnet, ip)) || first === undefined
        ? defaultSubnet
        : ipv4BlockAround(first, 24)));
  if (subnet !== undefined) {
    const given = eni.subnetIpv4CidrBlock !== undefined;
    localIpv4s.forEach((ip, i) => {
      if (!cidrContains(subnet, ip))
        report(
          ['localIpv4s', i],
          `${ip} is outside the subnet's block ${subnet}${given ? ' (subnetIpv4CidrBlock)' : ' (derived from the first address; give subnetIpv4CidrBlock)'}`,
        );
    });
    eni.ipv4Prefixes?.forEach((prefix, i) => {
      if (!cidrContains(subnet, prefix))
        report(['ipv4Prefixes', i], `${prefix} is outside the subnet's block ${subnet}`);
    });
  } else if (eni.ipv4Prefixes?.length)
    report(['ipv4Prefixes'], 'an IPv6-only interface has no IPv4 subnet to delegate prefixes from');
  const defaultVpc = D_ENI.vpcIpv4CidrBlocks;
  const vpcBlocks =
    eni.vpcIpv4CidrBlocks ??
    (subnet === undefined || defaultVpc.some((block) => cidrContains(block, subnet))
      ? defaultVpc
      : [ipv4BlockAround(subnet.split('/')[0] as string, Math.min(16, Number(subnet.split('/')[1])))]);
  if (subnet !== undefined && !vpcBlocks.some((block) => cidrContains(block, subnet)))
    report(
      [eni.subnetIpv4CidrBlock !== undefined ? 'subnetIpv4CidrBlock' : 'vpcIpv4CidrBlocks'],
      `the subnet's block ${subnet} is outside the VPC's blocks (${vpcBlocks.join(', ')})`,
    );
  const subnetIpv6 = eni.subnetIpv6CidrBlocks;
  if (subnetIpv6?.length) {
    eni.ipv6s?.forEach((ip, i) => {
      if (!subnetIpv6.some((block) => cidrContains(block, ip)))
        report(['ipv6s', i], `${ip} is outside the subnet's IPv6 blocks (${subnetIpv6.join(', ')})`);
    });
    eni.ipv6Prefixes?.forEach((prefix, i) => {
      if (!subnetIpv6.some((block) => cidrContains(block, prefix)))
        report(
          ['ipv6Prefixes', i],
          `${prefix} is outside the subnet's IPv6 blocks (${subnetIpv6.join(', ')})`,
        );
    });
    const vpcIpv6 = eni.vpcIpv6CidrBlocks;
    subnetIpv6.forEach((block, i) => {
      if (vpcIpv6?.length && !vpcIpv6.some((outer) => cidrContains(outer, block)))
        report(
          ['subnetIpv6CidrBlocks', i],
          `${block} is outside the VPC's IPv6 blocks (${vpcIpv6.join(', ')})`,
        );
    });
  }
  const sameVpc = vpcBlocks.length === defaultVpc.length && vpcBlocks.every((b, i) => b === defaultVpc[i]);
  const vpcId = eni.vpcId ?? (sameVpc ? D_ENI.vpcId : derivedId('vpc', vpcBlocks.join(',')));
  const subnetKey = subnet ?? subnetIpv6?.[0] ?? `ipv6-only:${eni.ipv6s?.[0] ?? ''}`;
  const subnetId =
    eni.subnetId ??
    (sameVpc && subnet === defaultSubnet ? D_ENI.subnetId : derivedId('subnet', `${vpcId}/${subnetKey}`));
  return stripUndefined({
    subnetId,
    subnetIpv4CidrBlock: subnet,
    vpcId,
    vpcIpv4CidrBlocks: vpcBlocks,
    ipv4Prefixes: eni.ipv4Prefixes,
    ipv6Prefixes: eni.ipv6Prefixes,
  });
}

function credentialRotation(
  credentials: InstanceExtras['credentials'],
  problems: ConfigProblem[],
): CredentialRotation {
  const rotationSeconds =
    credentials?.rotateEvery !== undefined
      ? credentials.rotateEvery / 1000
      : D.credentialRotation.rotationSeconds;
  const lifetimeSeconds =
    credentials?.lifetime !== undefined ? credentials.lifetime / 1000 : D.credentialRotation.lifetimeSeconds;
  // A lifetime given without a jitter is meant exactly; the built-in one carries EC2-like jitter.
  const jitterSeconds =
    credentials?.jitter !== undefined
      ? Math.floor(credentials.jitter / 1000)
      : credentials?.lifetime !== undefined || credentials?.rotateEvery !== undefined
        ? 0
        : (D.credentialRotation.jitterSeconds ?? 0);
  if (lifetimeSeconds <= rotationSeconds) {
    problems.push({
      path: ['credentials', credentials?.lifetime !== undefined ? 'lifetime' : 'rotateEvery'],
      message: `credentials must outlive their rotation, so a new set appears before the old one expires: lifetime (${lifetimeSeconds}s) must be longer than rotateEvery (${rotationSeconds}s)`,
    });
  } else if (lifetimeSeconds - jitterSeconds <= rotationSeconds) {
    problems.push({
      path: ['credentials', 'jitter'],
      message: `lifetime less jitter (${lifetimeSeconds - jitterSeconds}s) must still be longer than rotateEvery (${rotationSeconds}s), so a new set appears before the old one expires`,
    });
  }
  return { rotationSeconds, lifetimeSeconds, ...(jitterSeconds > 0 ? { jitterSeconds } : {}) };
}

function iamOf(
  iam: InstanceInput['iam'],
  accountId: string,
  partition: string,
  report: (message: string) => void,
): IamProfile | undefined {
  if (iam === null) return undefined;
  const arnOf = (roleName: string) => `arn:${partition}:iam::${accountId}:instance-profile/${roleName}`;
  if (iam === undefined) {
    const profile = D.iam as IamProfile;
    // The built-in profile follows the account and the region's partition like a derived one.
    return { ...profile, instanceProfileArn: arnOf(profile.roleName) };
  }
  const given = iam.instanceProfileArn;
  if (given !== undefined && !given.startsWith(`arn:${partition}:`))
    report(`${given} is not in partition ${partition} (the region's); expected arn:${partition}:iam::...`);
  return {
    roleName: iam.roleName,
    instanceProfileArn: given ?? arnOf(iam.roleName),
    instanceProfileId: iam.instanceProfileId ?? (D.iam as IamProfile).instanceProfileId,
  };
}

function overridesOf(extras: InstanceExtras): Record<string, string | null> | undefined {
  const entries: [string, string | null][] = [
    ...(extras.remove ?? []).map((path) => [path, null] as [string, null]),
    ...Object.entries(extras.set ?? {}),
  ];
  if (entries.length === 0) return undefined;
  const overrides: Record<string, string | null> = {};
  for (const [path, value] of entries) {
    delete overrides[path];
    overrides[path] = value;
  }
  return overrides;
}

function readUserData(
  input: UserDataInput,
  readFile: ReadUserDataFile,
  problems: ConfigProblem[],
): Uint8Array | undefined {
  let bytes: Uint8Array;
  let key: string;
  if (input.file !== undefined) {
    key = 'file';
    try {
      bytes = readFile(input.file);
    } catch (error) {
      problems.push({
        path: ['instance', 'userData', 'file'],
        message: `cannot read ${input.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      });
      return undefined;
    }
  } else if (input.base64 !== undefined) {
    key = 'base64';
    bytes = Buffer.from(input.base64, 'base64');
  } else {
    key = 'text';
    bytes = Buffer.from(input.text ?? '', 'utf8');
  }
  if (bytes.length > USER_DATA_MAX_BYTES) {
    problems.push({
      path: ['instance', 'userData', key],
      message: `user data is limited to ${USER_DATA_MAX_BYTES} bytes (16 KiB), got ${bytes.length}`,
    });
    return undefined;
  }
  return new Uint8Array(bytes);
}

/** Drops keys whose value is undefined, so built instances compare equal however they were made. */
function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, each]) => each !== undefined)) as T;
}
