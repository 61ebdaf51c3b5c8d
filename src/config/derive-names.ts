import { createHash } from 'node:crypto';

/**
 * Names EC2 derives from addresses and the region, so an instance configured with only a new IP or
 * region stays self-consistent (its hostnames and zone id agree with them).
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html#vpc-dns-hostnames
 */
import { partitionOf } from './partitions.js';

/** `ip-172-31-38-15.ap-northeast-1.compute.internal` (`ec2.internal` in us-east-1). */
export function privateHostname(ip: string, region: string): string {
  const domain = region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
  return `ip-${ip.replaceAll('.', '-')}.${domain}`;
}

/**
 * `ec2-54-250-83-127.ap-northeast-1.compute.amazonaws.com` (`compute-1.amazonaws.com` in us-east-1),
 * under the partition's suffix elsewhere (`cn-north-1.compute.amazonaws.com.cn`).
 */
export function publicHostname(ip: string, region: string): string {
  const domain =
    region === 'us-east-1' ? 'compute-1.amazonaws.com' : `${region}.compute.${partitionOf(region).dnsSuffix}`;
  return `ec2-${ip.replaceAll('.', '-')}.${domain}`;
}

/**
 * A resource-based name (`i-0123456789abcdef0.us-west-2.compute.internal`), the only kind an
 * IPv6-only subnet gives; `ec2.internal` in us-east-1 as for IP names.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2-instance-naming.html
 */
export function resourceHostname(instanceId: string, region: string): string {
  const domain = region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
  return `${instanceId}.${domain}`;
}

const DIRECTIONS: Readonly<Record<string, string>> = {
  north: 'n',
  south: 's',
  east: 'e',
  west: 'w',
  central: 'c',
  northeast: 'ne',
  northwest: 'nw',
  southeast: 'se',
  southwest: 'sw',
};

/** A zone id in AWS's shape (`apne1-az1` for `ap-northeast-1a`); real ids are shuffled per account, this keeps the letter's rank. */
export function zoneIdFor(zone: string, region: string): string {
  const parts = region.split('-');
  const code = parts
    .map((part, index) => (index === 0 || index === parts.length - 1 ? part : (DIRECTIONS[part] ?? part[0])))
    .join('');
  const letter = zone.slice(region.length);
  const rank = letter.length === 1 ? letter.charCodeAt(0) - 96 : 1;
  return `${code}-az${Math.max(1, rank)}`;
}

/** The region a zone belongs to (`ap-northeast-1a` → `ap-northeast-1`). */
export function regionOfZone(zone: string): string {
  return zone.replace(/[a-z]+$/, '');
}

/**
 * A stable id in EC2's shape (`<prefix>-` and 17 hex digits) for something the emulator derives:
 * equal keys give equal ids, so two interfaces in one derived subnet share its id.
 * @example derivedId('subnet', 'vpc-0e1f3a5c7b9d2e4f6/10.0.1.0/24')
 */
export function derivedId(prefix: string, key: string): string {
  return `${prefix}-${createHash('sha256').update(key).digest('hex').slice(0, 17)}`;
}

/** The interface id the emulator derives from a MAC when none is given (`eni-` and 17 hex digits). */
export function interfaceIdFor(mac: string): string {
  return derivedId('eni', mac);
}
