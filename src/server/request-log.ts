import type { AccessKind } from './handler.js';

/** One answered request, as the control API and the test fixture report it. */
export interface RequestLogEntry {
  readonly time: number;
  readonly method: string;
  readonly path: string;
  readonly access: AccessKind;
  readonly status: number | 'reset' | 'silence';
  readonly userAgent?: string;
  readonly peer: string;
}

/** The most recent requests, bounded so a long-running emulator's memory stays flat. */
export class RequestLog {
  readonly #entries: RequestLogEntry[] = [];
  readonly #capacity: number;
  #total = 0;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  add(entry: RequestLogEntry): void {
    // A ring: once full, the oldest slot is overwritten, so adding stays O(1).
    if (this.#entries.length < this.#capacity) this.#entries.push(entry);
    else this.#entries[this.#total % this.#capacity] = entry;
    this.#total++;
  }

  /** The kept entries, oldest first. */
  entries(): readonly RequestLogEntry[] {
    if (this.#entries.length < this.#capacity) return [...this.#entries];
    const start = this.#total % this.#capacity;
    return [...this.#entries.slice(start), ...this.#entries.slice(0, start)];
  }

  /** Every request since the last clear, including those no longer kept. */
  get total(): number {
    return this.#total;
  }

  clear(): void {
    this.#entries.length = 0;
    this.#total = 0;
  }
}
