import { createHash } from 'node:crypto';

/**
 * Names EC2 derives from addresses and the region, so an instance configured with only a new IP or
 * region stays self-consistent (its hostnames and zone id agree with them).
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html#vpc-dns-hostnames
 */

/** `ip-172-31-38-15.ap-northeast-1.compute.internal` (`ec2.internal` in us-east-1). */
export function privateHostname(ip: string, region: string): string {
  const domain = region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
  return `ip-${ip.replaceAll('.', '-')}.${domain}`;
}

/** `ec2-54-250-83-127.ap-northeast-1.compute.amazonaws.com` (`compute-1.amazonaws.com` in us-east-1). */
export function publicHostname(ip: string, region: string): string {
  const domain = region === 'us-east-1' ? 'compute-1.amazonaws.com' : `${region}.compute.amazonaws.com`;
  return `ec2-${ip.replaceAll('.', '-')}.${domain}`;
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

/** The interface id the emulator derives from a MAC when none is given (`eni-` and 17 hex digits). */
export function interfaceIdFor(mac: string): string {
  return `eni-${createHash('sha256').update(mac).digest('hex').slice(0, 17)}`;
}
