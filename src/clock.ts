/**
 * The one source of time for tokens, credentials and scenarios, so tests move time instead of
 * sleeping.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

import { assertInstantInRange } from './ranges.js';

/** The machine's clock. */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that only moves when told to.
 * @example
 * ```ts
 * const clock = new ManualClock(Date.UTC(2024, 1, 27));
 * clock.advance(120_000); // two minutes later
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  constructor(start: number = Date.now()) {
    assertInstantInRange('ManualClock start', start);
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  /** Moves time forward by `ms` (never backward). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance takes a non-negative number of milliseconds, got ${ms}`);
    assertInstantInRange('the clock after advance', this.#now + ms);
    this.#now += ms;
  }
  /** Jumps to an absolute time. */
  set(epochMs: number): void {
    assertInstantInRange('clock set', epochMs);
    this.#now = epochMs;
  }
}
