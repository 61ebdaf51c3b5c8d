/**
 * One timer per listener that closes connections past their deadline, instead of one timer per
 * connection: a thousand idle sockets cost one interval and a loop over a Set.
 */
import { monotonicNow, type Http1Connection } from './connection.js';

/** How often the sweep runs: a tenth of the timeout (so it fires at most 10% late), within 10 ms..1 s. */
export function sweepIntervalMs(requestTimeoutMs: number): number {
  return Math.min(1_000, Math.max(10, Math.floor(requestTimeoutMs / 10)));
}

/**
 * Starts sweeping `connections`; returns the function that stops it. The timer is unref'd so a
 * listener never keeps the process alive by itself.
 *
 * @example
 * ```ts
 * const stop = startDeadlineSweep(context.connections, 10_000);
 * stop();
 * ```
 */
export function startDeadlineSweep(
  connections: ReadonlySet<Http1Connection>,
  requestTimeoutMs: number,
): () => void {
  const timer = setInterval(sweep, sweepIntervalMs(requestTimeoutMs), connections);
  timer.unref();
  return () => clearInterval(timer);
}

function sweep(connections: ReadonlySet<Http1Connection>): void {
  const now = monotonicNow();
  for (const connection of connections) {
    if (connection.deadline <= now) connection.onDeadline(now);
  }
}
