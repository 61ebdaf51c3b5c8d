/**
 * The time left for one client call. Measured on the monotonic clock, never on the injectable
 * token clock: tests move the token clock by hours without touching real timeouts.
 */
export class Deadline {
  readonly #endsAt: number;

  constructor(budgetMs: number) {
    this.#endsAt = performance.now() + budgetMs;
  }

  /** Milliseconds left, never negative. */
  remaining(): number {
    return Math.max(0, this.#endsAt - performance.now());
  }
}
