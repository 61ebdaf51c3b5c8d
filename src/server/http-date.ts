/**
 * `Date`/`Last-Modified` values (IMF-fixdate). The current second's string is cached because every
 * response carries one and formatting a date costs more than the rest of a small response.
 */
export function createHttpDateFormatter(): (epochMs: number) => string {
  let cachedSecond = Number.NaN;
  let cachedText = '';
  return (epochMs) => {
    const second = Math.floor(epochMs / 1000);
    if (second !== cachedSecond) {
      cachedSecond = second;
      cachedText = new Date(second * 1000).toUTCString();
    }
    return cachedText;
  };
}
