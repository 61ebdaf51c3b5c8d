import { plainAddress } from './peer-address.js';

/**
 * The distinct client addresses in the order they first appeared, for selectors like
 * "the first 2 clients" (AEMM's mock-ip-count). Bounded: past `capacity` new addresses are not
 * numbered, so a flood of sources cannot grow memory.
 */
export class PeerRegistry {
  readonly #order = new Map<string, number>();
  readonly #capacity: number;

  constructor(capacity = 65_536) {
    this.#capacity = capacity;
  }

  /** Records the peer (if new) and returns its rank: 0 for the first address ever seen. */
  see(peer: string): number {
    const address = plainAddress(peer);
    let rank = this.#order.get(address);
    if (rank === undefined) {
      rank = this.#order.size;
      if (rank < this.#capacity) this.#order.set(address, rank);
    }
    return rank;
  }

  /** The addresses seen, first first. */
  list(): string[] {
    return [...this.#order.keys()];
  }

  clear(): void {
    this.#order.clear();
  }
}
