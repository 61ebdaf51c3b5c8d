import { ManualClock, systemClock, type Clock } from '../clock.js';

/**
 * A clock that runs at the machine's pace from a chosen start: `now()` is `start` plus the real
 * time elapsed since it was made. For rehearsing a date (a maintenance window next Tuesday)
 * without waiting for it.
 */
export class OffsetClock implements Clock {
  readonly #offset: number;
  readonly #realNow: () => number;
  constructor(start: number, realNow: () => number = Date.now) {
    this.#offset = start - realNow();
    this.#realNow = realNow;
  }
  now(): number {
    return this.#realNow() + this.#offset;
  }
}

/**
 * The clock a configuration asks for: `clock.manual` → a {@link ManualClock} (at `start`, or now),
 * moved only through the control API; `clock.start` alone → an {@link OffsetClock}; neither → the
 * system clock.
 */
export function clockOf(config: { readonly start?: number; readonly manual: boolean }): Clock {
  if (config.manual) return new ManualClock(config.start ?? Date.now());
  if (config.start !== undefined) return new OffsetClock(config.start);
  return systemClock;
}
