/**
 * Durations on the command line: `500ms`, `5s`, `2m`, or a bare number of seconds (as
 * `AWS_METADATA_SERVICE_TIMEOUT` counts them).
 */

const DURATION = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** Milliseconds, or undefined when `text` is not a positive duration. */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = Math.round(Number(match[1]) * (UNIT_MS[match[2] ?? 's'] as number));
  return ms > 0 ? ms : undefined;
}
