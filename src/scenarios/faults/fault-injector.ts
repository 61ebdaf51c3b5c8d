import type { ActiveFault } from '../service-state.js';
import { clientMatch, type ClientMatch } from './client-match.js';
import { PeerRegistry } from './peer-registry.js';
import { seededRandom } from './seeded-random.js';
import { TokenBucket } from './token-bucket.js';

/** What a fault does instead of the normal answer: a status page, or no response at all. */
export type Interference = { readonly status: number } | { readonly noResponse: 'reset' | 'silence' };

/** What the faults in force do to one request, decided before the handler runs. */
export interface RequestFaults {
  /** Answer this instead of running the handler. */
  readonly replace?: Interference;
  /** A token `PUT` from this client is never answered (hop limit). */
  readonly dropTokenResponse: boolean;
  /** Hold the response back this long. */
  readonly delayMs: number;
}

const NONE: RequestFaults = Object.freeze({ dropTokenResponse: false, delayMs: 0 });
const MAX_BUCKETS_PER_FAULT = 65_536;

/**
 * Applies the faults in force to each request. It owns the state faults need across requests —
 * the clients seen (for `firstSeen` selectors), one token bucket per throttled client, and a
 * seeded random sequence for error rates — so two emulators never share any of it.
 *
 * Checks run in this order, the first that applies deciding: `endpoint-off`, `throttle` (every
 * request counts against the client's rate, refused ones too), `server-errors`. Then, on the
 * normal answer, `hop-limit` and `latency` (delays of several latency faults add up).
 */
export class FaultInjector {
  readonly peers = new PeerRegistry();
  #buckets = new Map<string, Map<string, TokenBucket>>();
  /** Matchers by fault spec object: built once, as specs are immutable. */
  readonly #matchers = new WeakMap<object, ClientMatch>();
  #random: () => number;
  #seed: number;

  constructor(seed: number) {
    this.#seed = seed;
    this.#random = seededRandom(seed);
  }

  /** Decides what the faults do to a request from `peer` at `now`. */
  assess(peer: string, faults: readonly ActiveFault[], now: number): RequestFaults {
    const rank = this.peers.see(peer);
    if (faults.length === 0) return NONE;
    let dropTokenResponse = false;
    let delayMs = 0;
    let replace: Interference | undefined;
    for (const { id, spec } of faults) {
      if (!this.#matcher(spec.clients)(peer, rank)) continue;
      switch (spec.type) {
        case 'endpoint-off':
          replace ??= spec.response === 'forbidden' ? { status: 403 } : { noResponse: spec.response };
          break;
        case 'throttle':
          if (
            !this.#bucket(
              id,
              peer,
              spec.ratePerSecond,
              spec.burst ?? Math.max(1, spec.ratePerSecond),
              now,
            ).take(now)
          ) {
            replace ??= spec.response === 'reset' ? { noResponse: 'reset' } : { status: 503 };
          }
          break;
        case 'server-errors':
          if (replace === undefined && this.#random() < spec.rate) replace = { status: spec.status };
          break;
        case 'hop-limit':
          dropTokenResponse = true;
          break;
        case 'latency':
          delayMs += spec.delayMs;
          break;
      }
    }
    return { ...(replace ? { replace } : {}), dropTokenResponse, delayMs };
  }

  /** Forgets clients, buckets and the random sequence's position (back to the seed). */
  reset(): void {
    this.peers.clear();
    this.#buckets = new Map();
    this.#random = seededRandom(this.#seed);
  }

  #matcher(selector: Parameters<typeof clientMatch>[0]): ClientMatch {
    if (!selector) return clientMatch(undefined);
    let match = this.#matchers.get(selector);
    if (!match) this.#matchers.set(selector, (match = clientMatch(selector)));
    return match;
  }

  #bucket(faultId: string, peer: string, ratePerSecond: number, burst: number, now: number): TokenBucket {
    let perPeer = this.#buckets.get(faultId);
    if (!perPeer) this.#buckets.set(faultId, (perPeer = new Map()));
    let bucket = perPeer.get(peer);
    if (!bucket) {
      if (perPeer.size >= MAX_BUCKETS_PER_FAULT) perPeer.clear();
      perPeer.set(peer, (bucket = new TokenBucket(ratePerSecond, burst, now)));
    }
    return bucket;
  }
}
