import net from 'node:net';

/** A peer address in its plain form: IPv4-mapped IPv6 (`::ffff:10.0.0.7`) becomes `10.0.0.7`. */
export function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? (mapped[1] as string) : address;
}

/** True when `text` is an address or a CIDR block (`10.0.0.0/8`, `fd00::/8`) with a valid prefix. */
export function isAddressOrBlock(text: string): boolean {
  const [address, prefix, extra] = text.split('/');
  if (extra !== undefined || address === undefined) return false;
  const family = net.isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^[0-9]{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** A matcher for a list of addresses and CIDR blocks (assumed valid, see {@link isAddressOrBlock}). */
export function addressMatcher(entries: readonly string[]): (address: string) => boolean {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const family = net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return (peer) => {
    const plain = plainAddress(peer);
    const family = net.isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}
