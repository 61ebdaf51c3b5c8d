import type { ClientSelector } from '../spec.js';
import { addressMatcher } from './peer-address.js';

/** Whether a selector picks a client, given its address and its rank among the clients seen. */
export type ClientMatch = (peer: string, rank: number) => boolean;

const cache = new WeakMap<ClientSelector, ClientMatch>();
const everyone: ClientMatch = () => true;

/** The matcher for a selector (every client when absent), built once per selector object. */
export function clientMatch(selector: ClientSelector | undefined): ClientMatch {
  if (!selector || (selector.addresses === undefined && selector.firstSeen === undefined)) return everyone;
  let match = cache.get(selector);
  if (!match) {
    const byAddress = selector.addresses ? addressMatcher(selector.addresses) : () => false;
    const firstSeen = selector.firstSeen;
    match = (peer, rank) => byAddress(peer) || (firstSeen !== undefined && rank < firstSeen);
    cache.set(selector, match);
  }
  return match;
}
