import type { NetworkInterfaceInfo } from 'node:os';
import { IPV6_HOST } from '../wire.js';

/**
 * Whether `imds serve --link-local` also listens on the IPv6 endpoint `[fd00:ec2::254]:80`, beside
 * `169.254.169.254:80`. On EC2 the IPv6 endpoint answers only when `HttpProtocolIpv6` is enabled,
 * so: `enabled` binds it (and a missing address is a start error), `disabled` does not, and when
 * the option is not given it is bound if the address is on an interface (the namespace or
 * container was set up for it). Decided in docs/decisions/0018-link-local-ipv6.md.
 *
 * @param interfaces what `os.networkInterfaces()` reports; passed in, so the rule is testable
 *   without touching any network.
 * @example
 * ```ts
 * bindsIpv6Endpoint(undefined, { lo: [{ address: 'fd00:ec2::254', family: 'IPv6', ... }] }); // true
 * ```
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
 */
export function bindsIpv6Endpoint(
  httpProtocolIpv6: 'enabled' | 'disabled' | undefined,
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
): boolean {
  if (httpProtocolIpv6 !== undefined) return httpProtocolIpv6 === 'enabled';
  return Object.values(interfaces).some((addresses) =>
    (addresses ?? []).some((each) => each.family === 'IPv6' && sameIpv6(each.address, IPV6_HOST)),
  );
}

/** `fd00:ec2:0::254` and `fd00:ec2::254` are one address; compare the expanded forms. */
function sameIpv6(a: string, b: string): boolean {
  return expand(a.split('%')[0] as string) === expand(b);
}

function expand(address: string): string {
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => group.replace(/^0+(?=.)/, '')).join(':');
}
