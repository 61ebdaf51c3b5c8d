import { networkInterfaces } from 'node:os';
import { isLoopbackHost } from '../net/loopback.js';
import { canonicalAddress } from './proc-net.js';

/**
 * True for loopback and for the addresses of this host's interfaces: a peer at such an address
 * is a process on this host (its socket is in our `/proc/net/tcp`), zero routers away.
 */
export function isLocalAddress(address: string): boolean {
  if (isLoopbackHost(address)) return true;
  const canonical = canonicalAddress(address);
  return Object.values(networkInterfaces())
    .flat()
    .some((each) => each !== undefined && canonicalAddress(each.address) === canonical);
}
