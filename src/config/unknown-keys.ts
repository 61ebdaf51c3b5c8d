/**
 * Unknown keys, said the same way everywhere (a configuration file, the control API, the options
 * of `startImds` and `startEmulator`): `unknown key; did you mean "after"?`, or the keys allowed.
 */
import type { ConfigProblem, KeyPath } from './problem.js';
import { suggest } from './suggest.js';

/** The message for one unknown key among `known`. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const meant = suggest(key, known);
  const hint = meant
    ? `did you mean ${JSON.stringify(meant)}?`
    : known.length > 0
      ? `the keys here are ${known.join(', ')}`
      : 'no keys are allowed here';
  return `unknown key; ${hint}`;
}

/**
 * A problem for each own key of `value` not in `known` (an options object typed in plain
 * JavaScript, where nothing else would catch `{ afterr: '2m' }`).
 * @example
 * ```ts
 * unknownKeyProblems({ afterr: '2m' }, ['after', 'at']);
 * // [{ path: ['afterr'], message: 'unknown key; did you mean "after"?' }]
 * ```
 */
export function unknownKeyProblems(
  value: unknown,
  known: readonly string[],
  path: KeyPath = [],
): ConfigProblem[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .map((key) => ({ path: [...path, key], message: unknownKeyMessage(key, known) }));
}
