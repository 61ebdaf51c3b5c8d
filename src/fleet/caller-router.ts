import { addressMatcher, plainAddress } from '../scenarios/faults/peer-address.js';
import type { FleetMember } from './fleet-spec.js';

/**
 * Which instance a caller's source address belongs to. Single addresses are one map lookup (so a
 * fleet of 10,000 instances routes as fast as one of 1); CIDR blocks are tried after, in member
 * order, first match wins.
 */
export class CallerRouter {
  readonly #exact = new Map<string, string>();
  readonly #blocks: { readonly matches: (address: string) => boolean; readonly instanceId: string }[] = [];

  constructor(members: readonly FleetMember[]) {
    for (const member of members) {
      const id = member.instance.instanceId;
      const blocks: string[] = [];
      for (const source of member.sources) {
        if (source.includes('/')) blocks.push(source);
        else if (!this.#exact.has(source)) this.#exact.set(source, id);
      }
      if (blocks.length > 0) this.#blocks.push({ matches: addressMatcher(blocks), instanceId: id });
    }
  }

  /** The instance id for a peer address, or undefined when no member claims it. */
  route(peer: string): string | undefined {
    const plain = plainAddress(peer);
    const exact = this.#exact.get(plain);
    if (exact !== undefined) return exact;
    for (const block of this.#blocks) if (block.matches(plain)) return block.instanceId;
    return undefined;
  }
}
