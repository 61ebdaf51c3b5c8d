/** A key path in a configuration document: object keys and array indexes. */
export type KeyPath = readonly (string | number)[];

/**
 * One thing wrong with a configuration: where (the key path) and what, as a sentence that says
 * what was expected and, for a likely typo, what was meant.
 */
export interface ConfigProblem {
  readonly path: KeyPath;
  readonly message: string;
}

/** `scenarios[0].action`, `instance.tags.Name`; keys that are not identifiers are quoted. */
export function formatKeyPath(path: KeyPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text.length === 0 ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text.length === 0 ? '(top level)' : text;
}

/** A value as an error message shows it: strings quoted, objects as JSON, cut when long. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  const text =
    typeof value === 'string'
      ? JSON.stringify(value)
      : Array.isArray(value)
        ? `a list (${JSON.stringify(value)})`
        : typeof value === 'object'
          ? `an object (${JSON.stringify(value)})`
          : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
