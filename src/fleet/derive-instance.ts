import { interfaceIdFor, privateHostname, publicHostname } from '../config/derive-names.js';
import type { InstanceDescription, NetworkInterface } from '../metadata/instance.js';
import { cidrContains } from '../config/cidr.js';
import { nthHexId, nthIpv4, nthMac } from './sequence.js';

/**
 * The n-th instance of a template (n from 0): what one `RunInstances` call with a count launches.
 * Per instance, as on EC2: the instance id, the launch index, every interface's MAC, ENI id and
 * addresses (each address counted up by n), and the names derived from them (hostnames follow the
 * addresses unless they were set by hand). Shared, by reference, so N instances cost one copy: the
 * reservation, the AMI, the role, tags, user data, keys and everything else.
 *
 * @throws {RangeError} naming the field when an address would leave its subnet or its space.
 * @example deriveInstance(base, 2).instanceId // base id + 2
 */
export function deriveInstance(base: InstanceDescription, n: number): InstanceDescription {
  if (n === 0) return base;
  const primaryBefore = base.networkInterfaces[0];
  const networkInterfaces = base.networkInterfaces.map((eni, index) => deriveInterface(eni, index, n, base));
  const primary = networkInterfaces[0];
  const hostnameDerived = primaryBefore !== undefined && base.hostname === primaryBefore.localHostname;
  return {
    ...base,
    instanceId: nthHexId(base.instanceId, n),
    amiLaunchIndex: base.amiLaunchIndex + n,
    networkInterfaces,
    hostname: hostnameDerived && primary ? primary.localHostname : base.hostname,
  };
}

function deriveInterface(
  eni: NetworkInterface,
  index: number,
  n: number,
  base: InstanceDescription,
): NetworkInterface {
  const where = `networkInterfaces[${index}]`;
  const localIpv4s = eni.localIpv4s.map((ip) => {
    const next = nthIpv4(ip, n);
    // An interface with IPv4 addresses has an IPv4 subnet; only IPv6-only ones (no addresses here) lack it.
    if (eni.subnetIpv4CidrBlock === undefined || !cidrContains(eni.subnetIpv4CidrBlock, next))
      throw new RangeError(
        `${where}.localIpv4s: instance ${n} would get ${next}, outside its subnet ${eni.subnetIpv4CidrBlock}; use a larger subnetIpv4CidrBlock or a smaller count`,
      );
    return next;
  });
  const publicIpv4s = eni.publicIpv4s.map((ip) => nthIpv4(ip, n));
  const mac = nthMac(eni.mac, n);
  const derivedLocal = eni.localHostname === privateHostname(eni.localIpv4s[0] ?? '0.0.0.0', base.region);
  const firstPublic = eni.publicIpv4s[0];
  const derivedPublic =
    firstPublic !== undefined && eni.publicHostname === publicHostname(firstPublic, base.region);
  const newPublic = publicIpv4s[0];
  return {
    ...eni,
    mac,
    interfaceId: interfaceIdFor(mac),
    localIpv4s,
    publicIpv4s,
    localHostname: derivedLocal
      ? privateHostname(localIpv4s[0] ?? '0.0.0.0', base.region)
      : eni.localHostname,
    ...(derivedPublic && newPublic !== undefined
      ? { publicHostname: publicHostname(newPublic, base.region) }
      : {}),
  };
}
