import { iamDirectory, identityCredentialsDirectory } from './build-iam.js';
import { eventsDirectory, spotDirectory } from './build-events.js';
import { managedSshKeysDirectory } from './build-managed-ssh-keys.js';
import { networkDirectory } from './build-network.js';
import type { InstanceConnectSigner } from './instance-connect-signer.js';
import type { InstanceDescription } from './instance.js';
import { dir, leaf, sortedDir, type Directory, type MetadataNode } from './tree.js';

const optionalLeaf = (value: string | undefined, since: string) =>
  value === undefined ? undefined : leaf(value, since);

function placementDirectory(instance: InstanceDescription): Directory {
  return sortedDir(
    [
      ['availability-zone', leaf(instance.availabilityZone, '2008-02-01')],
      ['availability-zone-id', leaf(instance.availabilityZoneId, '2019-10-01')],
      ['group-name', optionalLeaf(instance.placementGroupName, '2020-08-24')],
      ['host-id', optionalLeaf(instance.hostId, '2020-08-24')],
      ['partition-number', optionalLeaf(instance.partitionNumber?.toString(), '2020-08-24')],
      ['region', leaf(instance.region, '2020-08-24')],
    ],
    '2008-02-01',
  );
}

function publicKeysDirectory(instance: InstanceDescription): Directory | undefined {
  if (instance.publicKeys.length === 0) return undefined;
  const listedAs = new Map(instance.publicKeys.map((key, index) => [String(index), `${index}=${key.name}`]));
  return dir(
    instance.publicKeys.map(
      (key, index) => [String(index), dir([['openssh-key', leaf(key.openssh)]])] as const,
    ),
    '1.0',
    { listedAs },
  );
}

/** `tags/instance/`: the instance's tags, unless `InstanceMetadataTags` is disabled (then a 404). */
function tagsDirectory(instance: InstanceDescription): Directory | undefined {
  if (!instance.tags || instance.metadataOptions?.instanceMetadataTags === 'disabled') return undefined;
  const instanceTags = dir(
    Object.entries(instance.tags).map(([key, value]) => [key, leaf(value, '2021-03-23')] as const),
    '2021-03-23',
  );
  return dir([['instance', instanceTags]], '2021-03-23');
}

/**
 * `meta-data/` for the instance at `now`. Each node carries the first metadata version it
 * appeared in, so `/2009-04-04/meta-data/` shows only what existed then.
 */
export function metaDataDirectory(
  instance: InstanceDescription,
  context: { readonly secret: Uint8Array; readonly instanceConnect: InstanceConnectSigner },
  now: number,
): Directory {
  const { secret } = context;
  const primary =
    instance.networkInterfaces.find((eni) => eni.deviceNumber === 0) ?? instance.networkInterfaces[0];
  const list = (values: readonly string[] | undefined, since: string) =>
    values && values.length > 0 ? leaf(values.join('\n'), since) : undefined;
  const entries: Array<readonly [string, MetadataNode | undefined]> = [
    ['ami-id', leaf(instance.amiId)],
    ['ami-launch-index', leaf(String(instance.amiLaunchIndex))],
    ['ami-manifest-path', leaf(instance.amiManifestPath)],
    ['ancestor-ami-ids', list(instance.ancestorAmiIds, '2007-10-10')],
    [
      'autoscaling',
      instance.targetLifecycleState
        ? dir([['target-lifecycle-state', leaf(instance.targetLifecycleState, '2021-07-15')]], '2021-07-15')
        : undefined,
    ],
    [
      'block-device-mapping',
      sortedDir(
        Object.entries(instance.blockDeviceMapping).map(
          ([name, device]) => [name, leaf(device, '2007-12-15')] as const,
        ),
        '2007-12-15',
      ),
    ],
    ['events', eventsDirectory(instance)],
    [
      'hibernation',
      instance.hibernationConfigured === undefined
        ? undefined
        : dir([['configured', leaf(String(instance.hibernationConfigured), '2016-09-02')]], '2016-09-02'),
    ],
    ['hostname', leaf(instance.hostname)],
    ['iam', iamDirectory(instance, secret, now)],
    ['identity-credentials', identityCredentialsDirectory(instance, secret, now)],
    ['instance-action', leaf(instance.instanceAction, '2008-09-01')],
    ['instance-id', leaf(instance.instanceId)],
    ['instance-life-cycle', leaf(instance.instanceLifeCycle, '2019-10-01')],
    ['instance-type', leaf(instance.instanceType, '2007-08-29')],
    ['ipv6', primary?.ipv6s?.[0] === undefined ? undefined : leaf(primary.ipv6s[0], '2021-01-03')],
    ['kernel-id', optionalLeaf(instance.kernelId, '2008-02-01')],
    ['local-hostname', primary ? leaf(primary.localHostname, '2007-01-19') : undefined],
    ['local-ipv4', primary?.localIpv4s[0] === undefined ? undefined : leaf(primary.localIpv4s[0])],
    ['mac', primary ? leaf(primary.mac, '2011-01-01') : undefined],
    ['managed-ssh-keys', managedSshKeysDirectory(instance, context.instanceConnect, now)],
    [
      'metrics',
      instance.metricsVhostmd === undefined
        ? undefined
        : dir([['vhostmd', leaf(instance.metricsVhostmd, '2011-05-01')]], '2011-05-01'),
    ],
    ['network', networkDirectory(instance.networkInterfaces)],
    ['placement', placementDirectory(instance)],
    ['product-codes', list(instance.productCodes, '2007-03-01')],
    ['profile', leaf(instance.profile, '2009-04-04')],
    [
      'public-hostname',
      primary?.publicIpv4s.length && primary.publicHostname
        ? leaf(primary.publicHostname, '2007-01-19')
        : undefined,
    ],
    [
      'public-ipv4',
      primary?.publicIpv4s[0] === undefined ? undefined : leaf(primary.publicIpv4s[0], '2007-01-19'),
    ],
    ['public-keys', publicKeysDirectory(instance)],
    ['ramdisk-id', optionalLeaf(instance.ramdiskId, '2007-10-10')],
    ['reservation-id', leaf(instance.reservationId)],
    [
      'security-groups',
      primary ? leaf(primary.securityGroups.map((group) => group.name).join('\n')) : undefined,
    ],
    [
      'services',
      dir(
        [
          ['domain', leaf(instance.services.domain, '2014-02-25')],
          ['partition', leaf(instance.services.partition, '2015-10-20')],
        ],
        '2014-02-25',
      ),
    ],
    ['spot', spotDirectory(instance)],
    ['system', optionalLeaf(instance.system, '2022-09-24')],
    ['tags', tagsDirectory(instance)],
  ];
  return sortedDir(entries);
}
