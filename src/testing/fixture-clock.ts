import type { ManualClock } from '../clock.js';
import { ConfigError } from '../config/config-error.js';
import { parseDuration } from '../duration.js';
import { instantRangeProblem } from '../ranges.js';
import { parseTimestamp } from '../config/timestamp.js';

/** The fixture's clock: it moves only when the test says so. */
export interface ImdsClock {
  /**
   * The emulator's time, epoch ms.
   * @example
   * ```ts
   * new Date(imds.clock.now()).toISOString();
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html
   */
  now(): number;
  /**
   * Moves time forward by a duration such as `2m`, or a number of seconds (as everywhere). Returns the new time.
   * @example
   * ```ts
   * imds.clock.advance('6h'); // the token issued before has expired
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html
   */
  advance(by: number | string): number;
  /**
   * Jumps to a time (Date, ISO text or epoch ms).
   * @example
   * ```ts
   * imds.clock.set('2024-03-01T09:00:00Z');
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html
   */
  set(to: Date | string | number): number;
}

/** Epoch ms of a Date, ISO text or number; a {@link ConfigError} from `source` naming `what` otherwise. */
export function epochOf(value: Date | string | number, what: string, source: string): number {
  const ms =
    value instanceof Date ? value.getTime() : typeof value === 'number' ? value : parseTimestamp(value);
  if (ms === undefined || !Number.isFinite(ms)) {
    throw new ConfigError([
      {
        source,
        path: [what],
        message: `expected a Date, an ISO-8601 time or epoch milliseconds, got ${JSON.stringify(value)}`,
      },
    ]);
  }
  const problem = instantRangeProblem(ms);
  if (problem) throw new ConfigError([{ source, path: [what], message: `expected ${problem}, got ${ms}` }]);
  return ms;
}

/** The test-facing face of a manual clock (`startImds`, `startFleet`). */
export function fixtureClock(clock: ManualClock, source: string): ImdsClock {
  return {
    now: () => clock.now(),
    advance(by) {
      const ms = parseDuration(by);
      if (ms === undefined)
        throw new RangeError(
          `clock.advance takes a duration such as 2m or a number of seconds, got ${JSON.stringify(by)}`,
        );
      clock.advance(ms);
      return clock.now();
    },
    set(to) {
      clock.set(epochOf(to, 'clock', source));
      return clock.now();
    },
  };
}
