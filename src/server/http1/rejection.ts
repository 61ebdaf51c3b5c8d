/**
 * Why the front refuses a request it cannot parse, before any handler sees it.
 */

/** A request the front answers itself with an error status, and the reason (for tests and logs). */
export interface Rejection {
  /** The HTTP status to answer with: 400, 408, 413, 414, 431, 501 or 505. */
  readonly status: number;
  /** A short, fixed English phrase naming the broken rule; never echoes client bytes. */
  readonly reason: string;
}

/** Builds a {@link Rejection}; a function so call sites stay one line. */
export function reject(status: number, reason: string): Rejection {
  return { status, reason };
}

/** True when a parse step returned a {@link Rejection} instead of its result. */
export function isRejection(value: unknown): value is Rejection {
  return typeof value === 'object' && value !== null && 'status' in value && 'reason' in value;
}
