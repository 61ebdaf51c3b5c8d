import net from 'node:net';
import { bareHost } from '../wire.js';

const IPV6_LOOPBACK = new net.BlockList();
IPV6_LOOPBACK.addAddress('::1', 'ipv6');

/**
 * True when `host` names only this machine: `localhost`, an address in 127.0.0.0/8, or `::1`
 * (in any spelling, IPv4-mapped forms too). Wildcards (`0.0.0.0`, `::`) and every other name are
 * beyond loopback, even one that happens to resolve to it.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = bareHost(host).toLowerCase();
  if (bare === 'localhost') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  const address = mapped ? (mapped[1] as string) : bare;
  if (net.isIPv4(address)) return address.startsWith('127.');
  if (net.isIPv6(address)) return IPV6_LOOPBACK.check(address, 'ipv6');
  return false;
}
