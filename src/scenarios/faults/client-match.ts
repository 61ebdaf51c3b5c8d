import type { ClientSelector } from '../spec.js';
import { addressMatcher } from './peer-address.js';

/** Whether a selector picks a client, given its address and its rank among the clients seen. */
export type ClientMatch = (peer: string, rank: number) => boolean;

const everyone: ClientMatch = () => true;

/** The matcher for a selector; every client when there is no selector. */
export function clientMatch(selector: ClientSelector | undefined): ClientMatch {
  if (!selector || (selector.addresses === undefined && selector.firstSeen === undefined)) return everyone;
  const byAddress = selector.addresses ? addressMatcher(selector.addresses) : () => false;
  const firstSeen = selector.firstSeen;
  return (peer, rank) => byAddress(peer) || (firstSeen !== undefined && rank < firstSeen);
}
