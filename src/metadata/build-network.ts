import type { NetworkInterface } from './instance.js';
import { dir, leaf, sortedDir, type Directory, type MetadataNode } from './tree.js';

const lines = (values: readonly string[]): string => values.join('\n');
const listLeaf = (values: readonly string[] | undefined, since: string) =>
  values && values.length > 0 ? leaf(lines(values), since) : undefined;

/** The metadata version that introduced the network-card leaves (instancedata-data-categories). */
const NETWORK_CARD_SINCE = '2020-11-01';
/** Prefix delegation's leaves; the VPC CNI reads them and takes a 404 as "no prefixes". */
const PREFIX_SINCE = '2021-07-15';

/** `network/interfaces/macs/<mac>/` for one interface; the real listing is alphabetical. */
function interfaceDirectory(eni: NetworkInterface): Directory {
  const publicIps = eni.publicIpv4s;
  const hasIpv6 = (eni.ipv6s?.length ?? 0) > 0;
  const associations =
    publicIps.length > 0
      ? dir(
          publicIps.map((ip, index) => [ip, leaf(eni.localIpv4s[index] ?? eni.localIpv4s[0] ?? '')] as const),
        )
      : undefined;
  return sortedDir(
    [
      ['device-number', leaf(String(eni.deviceNumber))],
      ['interface-id', leaf(eni.interfaceId)],
      ['ipv4-associations', associations],
      ['ipv4-prefix', listLeaf(eni.ipv4Prefixes, PREFIX_SINCE)],
      ['ipv6-prefix', listLeaf(eni.ipv6Prefixes, PREFIX_SINCE)],
      ['ipv6s', hasIpv6 ? leaf(lines(eni.ipv6s ?? []), '2016-06-30') : undefined],
      ['local-hostname', leaf(eni.localHostname)],
      // An IPv6-only interface has no IPv4 address: the leaf is absent (404), as on EC2.
      ['local-ipv4s', eni.localIpv4s.length > 0 ? leaf(lines(eni.localIpv4s)) : undefined],
      ['mac', leaf(eni.mac)],
      // Both names for the card the ENI sits on: the user guide documents `network-card-index`
      // (2020-11-01); cloud-init and the VPC CNI read `network-card` (see ADR 0008).
      ['network-card', leaf(String(eni.networkCardIndex), NETWORK_CARD_SINCE)],
      ['network-card-index', leaf(String(eni.networkCardIndex), NETWORK_CARD_SINCE)],
      ['owner-id', leaf(eni.ownerId)],
      ['public-hostname', publicIps.length > 0 && eni.publicHostname ? leaf(eni.publicHostname) : undefined],
      ['public-ipv4s', publicIps.length > 0 ? leaf(lines(publicIps)) : undefined],
      ['security-group-ids', leaf(lines(eni.securityGroups.map((group) => group.id)))],
      ['security-groups', leaf(lines(eni.securityGroups.map((group) => group.name)))],
      ['subnet-id', leaf(eni.subnetId)],
      [
        'subnet-ipv4-cidr-block',
        eni.subnetIpv4CidrBlock === undefined ? undefined : leaf(eni.subnetIpv4CidrBlock),
      ],
      [
        'subnet-ipv6-cidr-blocks',
        eni.subnetIpv6CidrBlocks?.length ? leaf(lines(eni.subnetIpv6CidrBlocks), '2016-06-30') : undefined,
      ],
      ['vpc-id', leaf(eni.vpcId)],
      ['vpc-ipv4-cidr-block', leaf(eni.vpcIpv4CidrBlocks[0] ?? '')],
      ['vpc-ipv4-cidr-blocks', leaf(lines(eni.vpcIpv4CidrBlocks), '2016-06-30')],
      [
        'vpc-ipv6-cidr-blocks',
        eni.vpcIpv6CidrBlocks?.length ? leaf(lines(eni.vpcIpv6CidrBlocks), '2016-06-30') : undefined,
      ],
    ],
    '2011-01-01',
  );
}

/** `network/`: every interface under `interfaces/macs/`, in device-number order. */
export function networkDirectory(interfaces: readonly NetworkInterface[]): MetadataNode | undefined {
  if (interfaces.length === 0) return undefined;
  const ordered = [...interfaces].sort((a, b) => a.deviceNumber - b.deviceNumber);
  const macs = dir(
    ordered.map((eni) => [eni.mac, interfaceDirectory(eni)] as const),
    '2011-01-01',
  );
  return dir([['interfaces', dir([['macs', macs]], '2011-01-01')]], '2011-01-01');
}
