/** Edit distance (insertions, deletions, substitutions, and swaps of two neighbours). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        (d[i - 1]?.[j] as number) + 1,
        (d[i]?.[j - 1] as number) + 1,
        (d[i - 1]?.[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, (d[i - 2]?.[j - 2] as number) + 1);
      const row = d[i] as number[];
      row[j] = best;
    }
  }
  return d[a.length]?.[b.length] as number;
}

/**
 * The known word closest to a misspelt one, when it is close enough to be a likely typo (about a
 * third of its letters wrong at most, case and `-`/`_` ignored); undefined otherwise.
 * @example
 * ```ts
 * suggest('httpToken', ['httpTokens', 'httpEndpoint']); // 'httpTokens'
 * ```
 */
export function suggest(word: string, known: Iterable<string>): string | undefined {
  const fold = (text: string) => text.toLowerCase().replace(/[-_]/g, '');
  const target = fold(word);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(target, fold(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(1, Math.floor(Math.max(word.length, 3) / 3));
  return best !== undefined && bestDistance <= limit && best !== word ? best : undefined;
}
