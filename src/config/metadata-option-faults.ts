/**
 * What the instance's metadata options do to requests, as faults the emulator already knows. On
 * EC2 the hop limit is an IP TTL on the token response, and `HttpProtocolIpv6` decides whether the
 * IPv6 endpoint exists; on loopback neither can happen at the IP layer, so the callers the options
 * describe get the observable outcome instead: a token `PUT` never answered (the `hop-limit` fault)
 * for declared container clients when the limit is 1, and no answer at all to IPv6 callers when
 * IPv6 is disabled (the `endpoint-off` fault, `silence`).
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html
 */
import type { MetadataOptions } from '../metadata/instance.js';
import type { FaultSpec } from '../scenarios/spec.js';

/** The ids these faults carry in scenario listings, so they are told from configured faults. */
export const HOP_LIMIT_FAULT_ID = 'metadata-options-hop-limit';
export const IPV6_OFF_FAULT_ID = 'metadata-options-ipv6-disabled';

/**
 * IPv6 callers: loopback, global unicast, unique local (where `fd00:ec2::254` lives) and link-local.
 * Not `::/0`: Node's BlockList checks IPv4 callers as IPv4-mapped IPv6, which `::/0` would catch.
 */
const IPV6_CALLERS = ['::1/128', '2000::/3', 'fc00::/7', 'fe80::/10'];

/** A container is one hop further than the instance: its PUT needs a limit of at least 2. */
const CONTAINER_HOPS = 2;

/**
 * The faults that enforce `options`; none when the options are absent or not enforced.
 * @example metadataOptionFaults({ httpPutResponseHopLimit: 1, containerClients: ['172.17.0.0/16'] })
 */
export function metadataOptionFaults(options: MetadataOptions | undefined): FaultSpec[] {
  const faults: FaultSpec[] = [];
  const containers = options?.containerClients ?? [];
  const hopLimit = options?.httpPutResponseHopLimit;
  if (hopLimit !== undefined && hopLimit < CONTAINER_HOPS && containers.length > 0)
    faults.push({ type: 'hop-limit', id: HOP_LIMIT_FAULT_ID, clients: { addresses: [...containers] } });
  if (options?.httpProtocolIpv6 === 'disabled')
    faults.push({
      type: 'endpoint-off',
      id: IPV6_OFF_FAULT_ID,
      response: 'silence',
      clients: { addresses: IPV6_CALLERS },
    });
  return faults;
}
