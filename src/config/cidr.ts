/**
 * CIDR arithmetic the instance description needs: whether an address or a block lies inside a
 * block (Node's `net.BlockList` does the bit work for both families), and the block of a given
 * size around an IPv4 address, to derive subnet and VPC blocks from the addresses when not given.
 */
import net from 'node:net';

type Family = 'ipv4' | 'ipv6';

const familyOf = (address: string): Family => (net.isIPv6(address) ? 'ipv6' : 'ipv4');

function split(cidr: string): { address: string; prefix: number } {
  const slash = cidr.lastIndexOf('/');
  return { address: cidr.slice(0, slash), prefix: Number(cidr.slice(slash + 1)) };
}

/**
 * Whether `inner` (an address or a CIDR block) lies inside the CIDR block `outer`.
 * @example cidrContains('10.0.0.0/16', '10.0.1.0/24') // true
 */
export function cidrContains(outer: string, inner: string): boolean {
  const block = split(outer);
  const family = familyOf(block.address);
  const { address, prefix } = inner.includes('/') ? split(inner) : { address: inner, prefix: Number.NaN };
  if (familyOf(address) !== family) return false;
  if (!Number.isNaN(prefix) && prefix < block.prefix) return false;
  const list = new net.BlockList();
  list.addSubnet(block.address, block.prefix, family);
  return list.check(address, family);
}

/**
 * The IPv4 block of `prefix` bits that holds `address`.
 * @example ipv4BlockAround('10.0.1.25', 24) // '10.0.1.0/24'
 */
export function ipv4BlockAround(address: string, prefix: number): string {
  const value = address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const size = 2 ** (32 - prefix);
  const start = Math.floor(value / size) * size;
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(start / 2 ** shift) % 256);
  return `${octets.join('.')}/${prefix}`;
}
