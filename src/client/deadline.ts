/**
 * The time left for one client call. Measured on the monotonic clock, never on the injectable
 * token clock: tests move the token clock by hours without touching real timeouts.
 * `process.hrtime` rather than `performance.now()`: the latter loads the perf_hooks internals on
 * first use, close to a millisecond of start-up that `imds get` does not need to pay.
 */
const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export class Deadline {
  readonly #endsAt: number;

  constructor(budgetMs: number) {
    this.#endsAt = monotonicMs() + budgetMs;
  }

  /** Milliseconds left, never negative. */
  remaining(): number {
    return Math.max(0, this.#endsAt - monotonicMs());
  }
}
