import { DEFAULT_INSTANCE } from '../metadata/default-instance.js';
import type {
  CredentialRotation,
  IamProfile,
  InstanceDescription,
  NetworkInterface,
} from '../metadata/instance.js';
import { USER_DATA_MAX_BYTES } from '../wire.js';
import { interfaceIdFor, privateHostname, publicHostname, regionOfZone, zoneIdFor } from './derive-names.js';
import type { ConfigProblem } from './problem.js';
import type { InstanceInput, NetworkInterfaceInput, UserDataInput } from './schema/instance-schema.js';

/** What the instance is built from besides the `instance:` block. */
export interface InstanceExtras {
  /** `credentials:` rotation period and lifetime, in milliseconds. */
  readonly credentials?:
    | { readonly rotateEvery?: number | undefined; readonly lifetime?: number | undefined }
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

  const networkInterfaces = (input.networkInterfaces ?? [{}]).map((eni, index) =>
    buildInterface(eni, index, { accountId, region }, (path, message) =>
      problems.push({ path: at('networkInterfaces', index, ...path), message }),
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
    services: { ...D.services, ...input.services },
    networkInterfaces,
    credentialRotation: rotation,
    iam: iamOf(input.iam, accountId),
    tags: input.tags === null ? undefined : (input.tags ?? D.tags),
    userData: userData ?? D.userData,
    ...(overrides ? { overrides } : {}),
  };
  return { instance: stripUndefined(instance), problems };
}

function buildInterface(
  eni: NetworkInterfaceInput,
  index: number,
  context: { accountId: string; region: string },
  report: (path: (string | number)[], message: string) => void,
): NetworkInterface {
  if (index > 0 && eni.mac === undefined)
    report(['mac'], 'missing; each network interface after the first needs its own mac');
  if (index > 0 && eni.localIpv4s === undefined)
    report(['localIpv4s'], 'missing; each network interface after the first needs its own private addresses');
  const base: NetworkInterface =
    index === 0 ? D_ENI : { ...D_ENI, publicIpv4s: [], publicHostname: undefined };
  const mac = eni.mac ?? (index === 0 ? D_ENI.mac : `06:00:00:00:00:${index.toString(16).padStart(2, '0')}`);
  const localIpv4s = eni.localIpv4s ?? base.localIpv4s;
  const publicIpv4s = eni.publicIpv4s ?? base.publicIpv4s;
  if (publicIpv4s.length > localIpv4s.length) {
    report(
      ['publicIpv4s'],
      `${publicIpv4s.length} public addresses but ${localIpv4s.length} private ones; each public address is associated with a private address`,
    );
  }
  const firstPublic = publicIpv4s[0];
  return stripUndefined({
    ...base,
    ...eni,
    mac,
    interfaceId: eni.interfaceId ?? (index === 0 ? D_ENI.interfaceId : interfaceIdFor(mac)),
    deviceNumber: eni.deviceNumber ?? index,
    networkCardIndex: eni.networkCardIndex ?? 0,
    ownerId: eni.ownerId ?? context.accountId,
    localIpv4s,
    localHostname: eni.localHostname ?? privateHostname(localIpv4s[0] ?? '0.0.0.0', context.region),
    publicIpv4s,
    publicHostname:
      eni.publicHostname ?? (firstPublic ? publicHostname(firstPublic, context.region) : undefined),
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
  if (lifetimeSeconds <= rotationSeconds) {
    problems.push({
      path: ['credentials', credentials?.lifetime !== undefined ? 'lifetime' : 'rotateEvery'],
      message: `credentials must outlive their rotation, so a new set appears before the old one expires: lifetime (${lifetimeSeconds}s) must be longer than rotateEvery (${rotationSeconds}s)`,
    });
  }
  return { rotationSeconds, lifetimeSeconds };
}

function iamOf(iam: InstanceInput['iam'], accountId: string): IamProfile | undefined {
  if (iam === null) return undefined;
  if (iam === undefined) return D.iam;
  return {
    roleName: iam.roleName,
    instanceProfileArn:
      iam.instanceProfileArn ?? `arn:aws:iam::${accountId}:instance-profile/${iam.roleName}`,
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
