/**
 * Exponential backoff with jitter between attempts. Half of each delay is fixed and half random
 * ("equal jitter"): many clients throttled together spread out, yet none retries at once.
 *
 * @see https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/
 */

/** Base and ceiling of the delay, in milliseconds. */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

/** 100 ms, 200 ms, 400 ms... up to 1 s: short, because a call's whole budget is a few seconds. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, capMs: 1_000 };

/**
 * The delay before retry number `retry` (1 for the first retry).
 * @param random a number in [0, 1); injectable so tests are exact.
 * @example
 * ```ts
 * backoffDelayMs(1, () => 0.5); // 75: half of 100 fixed, plus half of the other 50
 * ```
 */
export function backoffDelayMs(
  retry: number,
  random: () => number = Math.random,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
