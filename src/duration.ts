/**
 * Durations, one grammar everywhere a person writes one: configuration files, command-line flags
 * (`--timeout`, `--interval`), the control API (`POST /clock`) and the test fixture
 * (`imds.clock.advance`, `after:`). `90s`, `2m`, `1h30m`, `500ms`, `1d`, or a bare number, which
 * is always **seconds** (`120`, as AWS writes TTLs and `AWS_METADATA_SERVICE_TIMEOUT`).
 * Units: `ms`, `s`, `m`, `h`, `d`.
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/** What a duration looks like, for error messages. */
export const DURATION_EXPECTATION = 'a duration such as 90s, 2m, 1h30m or 500ms (a bare number is seconds)';

/**
 * Milliseconds of a duration, or undefined when it is not one (negative, empty, unknown unit).
 * @example
 * ```ts
 * parseDuration('1h30m'); // 5_400_000
 * parseDuration(90);      // 90_000
 * ```
 */
export function parseDuration(input: unknown): number | undefined {
  if (typeof input === 'number')
    return Number.isFinite(input) && input >= 0 ? Math.round(input * 1000) : undefined;
  if (typeof input !== 'string') return undefined;
  const text = input.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (text.length === 0) return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    if (!match) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  return Math.round(total);
}

/**
 * Milliseconds of a duration that must be longer than zero (a timeout, an interval), or undefined.
 * @example
 * ```ts
 * parsePositiveDuration('500ms'); // 500
 * parsePositiveDuration('0s');    // undefined
 * ```
 */
export function parsePositiveDuration(input: unknown): number | undefined {
  const ms = parseDuration(input);
  return ms !== undefined && ms > 0 ? ms : undefined;
}

/**
 * The shortest way to write a duration with those units (`5400000` → `1h30m`), the inverse of
 * {@link parseDuration}.
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let text = '';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}
