/**
 * The ranges every duration and instant must fit, wherever it enters (the configuration file, the
 * control API, the test fixture, a manual clock). A value that parses but is absurd (`1e300`
 * seconds, a clock in year 12000 or before 1970) would otherwise pass validation and then turn
 * every request into a 500: an expiry that no longer fits a session token's 6 bytes, a date that
 * `toISOString` cannot write.
 *
 * The bounds leave room for sums: an instant (at most the end of year 9999) plus a few durations
 * (at most 100 years each) stays far below what a token's 6-byte expiry holds (2^48 ms, year 10889)
 * and what a `Date` can write (year 275760).
 */

/** The earliest instant: the Unix epoch (a token's expiry is unsigned). */
export const MIN_INSTANT_MS = 0;
/** The latest instant: 9999-12-31T23:59:59.999Z, the last one with a four-digit year. */
export const MAX_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** The longest duration: 100 years of 365.25 days. */
export const MAX_DURATION_MS = 100 * 365.25 * 86_400_000;

/**
 * Why a duration in milliseconds is out of range, or undefined when it is in range.
 * @example
 * ```ts
 * durationRangeProblem(1e303); // 'a duration of at most 100 years (36525d)'
 * ```
 */
export function durationRangeProblem(ms: number): string | undefined {
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_DURATION_MS
    ? undefined
    : 'a duration of at most 100 years (36525d)';
}

/** Why an instant (epoch ms) is out of range, or undefined when it is in range. */
export function instantRangeProblem(ms: number): string | undefined {
  return Number.isFinite(ms) && ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS
    ? undefined
    : 'a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z';
}

/** Throws a `RangeError` naming `what` when the duration is out of range. */
export function assertDurationInRange(what: string, ms: number): void {
  const problem = durationRangeProblem(ms);
  if (problem) throw new RangeError(`${what}: expected ${problem}, got ${ms} ms`);
}

/** Throws a `RangeError` naming `what` when the instant is out of range. */
export function assertInstantInRange(what: string, ms: number): void {
  const problem = instantRangeProblem(ms);
  if (problem) throw new RangeError(`${what}: expected ${problem}, got ${ms} ms since the epoch`);
}
