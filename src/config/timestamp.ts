/** What an absolute time looks like, for error messages. */
export const TIMESTAMP_EXPECTATION = 'an ISO-8601 time with a zone, such as 2024-02-27T13:10:00Z';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Epoch milliseconds of an ISO-8601 time that names its zone (`Z` or `+09:00`), or undefined.
 * A time without a zone is refused: it would mean different instants on different machines.
 */
export function parseTimestamp(input: unknown): number | undefined {
  if (typeof input !== 'string' || !ISO.test(input.trim())) return undefined;
  const ms = Date.parse(input.trim());
  return Number.isNaN(ms) ? undefined : ms;
}

/** `2024-02-27T13:10:00Z` (milliseconds only when there are some). */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
