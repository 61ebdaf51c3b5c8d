/**
 * The CLI's command-line parser, with the messages people need at a terminal: an unknown or
 * misspelt flag names the flag it most likely meant (the same suggestion the configuration file,
 * the `IMDS_*` variables and the control API give), and every error is one short line.
 *
 * It follows `node:util` `parseArgs` in strict mode token for token (`--name value`,
 * `--name=value`, `-n value`, `-nvalue`, grouped short booleans `-ab`, `--` ending the flags, a
 * value that looks like a flag refused unless written inline); `test/cli/parse-flags.test.ts`
 * checks that against `parseArgs` itself. It is its own code because `parseArgs` loads and
 * compiles two internal modules of Node on every run, which was the largest single cost of
 * `imds get` after Node's own start (docs/decisions/0021-cli-start.md).
 */
import { suggest } from '../config/suggest.js';

/** One flag, as `parseArgs` takes it. */
export type FlagSpec = {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
};

/** Parsed values: a string, a boolean, or a list for a flag given `multiple`. */
export type FlagValue = string | boolean | string[] | undefined;

/** The values {@link parseFlags} returns for `options`, typed flag by flag. */
export type ParsedValues<T extends Record<string, FlagSpec>> = {
  -readonly [K in keyof T]?: T[K] extends { readonly multiple: true }
    ? string[]
    : T[K] extends { readonly type: 'boolean' }
      ? boolean
      : string;
};

/** A command line that could not be parsed; `message` is ready to print after `imds <command>: `. */
export class FlagError extends Error {
  override readonly name = 'FlagError';
}

/** A flag as written (`raw`, e.g. `-e` or `--endpoint`) with the value it took, or a positional. */
type Token =
  | {
      readonly kind: 'flag';
      readonly name: string;
      readonly raw: string;
      readonly value?: string;
      readonly inline: boolean;
    }
  | { readonly kind: 'positional'; readonly value: string };

/**
 * Parses `argv` strictly against `options`.
 * @returns the values by flag name (an object without prototype, as `parseArgs` returns) and the positionals.
 * @throws {FlagError} naming the flag at fault and, for a misspelt one, the flag it likely meant.
 * @example
 * ```ts
 * parseFlags(['--prot', '0'], { port: { type: 'string', short: 'p' } }, false);
 * // FlagError: unknown option '--prot'; did you mean --port?
 * ```
 */
export function parseFlags<T extends Record<string, FlagSpec>>(
  argv: readonly string[],
  options: T,
  allowPositionals: boolean,
): { values: Record<string, FlagValue>; positionals: string[] } {
  const values: Record<string, FlagValue> = Object.create(null);
  const positionals: string[] = [];
  for (const token of tokenize(argv, options)) {
    if (token.kind === 'positional') {
      if (!allowPositionals)
        throw new FlagError(`unexpected argument '${token.value}' (this command takes none)`);
      positionals.push(token.value);
      continue;
    }
    const spec = specOf(options, token.name);
    if (spec === undefined) {
      const meant = suggest(token.name, Object.keys(options));
      throw new FlagError(`unknown option '${token.raw}'${meant ? `; did you mean --${meant}?` : ''}`);
    }
    if (spec.type === 'string') {
      if (token.value === undefined) throw new FlagError(`--${token.name} needs a value`);
      if (!token.inline && token.value.length > 1 && token.value.startsWith('-'))
        throw new FlagError(
          `--${token.name} needs a value; '${token.value}' looks like a flag (write --${token.name}=${token.value} if it is the value)`,
        );
    } else if (token.value !== undefined) {
      throw new FlagError(`--${token.name} takes no value (got '${token.value}')`);
    }
    // As parseArgs: a flag named __proto__ is never stored.
    if (token.name === '__proto__') continue;
    const value = token.value ?? true;
    if (spec.multiple) ((values[token.name] as (string | boolean)[] | undefined) ??= []).push(value);
    else values[token.name] = value;
  }
  return { values, positionals };
}

function specOf(options: Record<string, FlagSpec>, name: string): FlagSpec | undefined {
  return Object.hasOwn(options, name) ? options[name] : undefined;
}

/** Splits `argv` into flags and positionals exactly as `parseArgs` does, before any check. */
function tokenize(argv: readonly string[], options: Record<string, FlagSpec>): Token[] {
  const longOf = (short: string): string => {
    for (const [name, spec] of Object.entries(options)) if (spec.short === short) return name;
    return short;
  };
  const takesValue = (name: string): boolean => specOf(options, name)?.type === 'string';
  const tokens: Token[] = [];
  const rest = [...argv];
  while (rest.length > 0) {
    const arg = rest.shift() as string;
    if (arg === '--') {
      for (const value of rest) tokens.push({ kind: 'positional', value });
      break;
    }
    if (arg.length >= 2 && arg[0] === '-' && arg[1] !== '-') {
      const name = longOf(arg[1] as string);
      if (arg.length === 2) {
        // -e [value]: a string flag takes the next argument, whatever it looks like.
        const value = takesValue(name) ? rest.shift() : undefined;
        tokens.push({ kind: 'flag', name, raw: arg, value, inline: false });
      } else if (takesValue(name)) {
        // -evalue
        tokens.push({ kind: 'flag', name, raw: arg.slice(0, 2), value: arg.slice(2), inline: true });
      } else {
        // -ab: one flag per letter; a string flag inside takes the rest as its value.
        const expanded: string[] = [];
        for (let index = 1; index < arg.length; index++) {
          const letter = arg[index] as string;
          if (!takesValue(longOf(letter)) || index === arg.length - 1) {
            expanded.push(`-${letter}`);
          } else {
            expanded.push(`-${letter}${arg.slice(index + 1)}`);
            break;
          }
        }
        rest.unshift(...expanded);
      }
      continue;
    }
    if (arg.length > 2 && arg.startsWith('--')) {
      if (arg.includes('=', 3)) {
        const equals = arg.indexOf('=');
        const name = arg.slice(2, equals);
        tokens.push({ kind: 'flag', name, raw: `--${name}`, value: arg.slice(equals + 1), inline: true });
      } else {
        const name = arg.slice(2);
        const value = takesValue(name) ? rest.shift() : undefined;
        tokens.push({ kind: 'flag', name, raw: arg, value, inline: false });
      }
      continue;
    }
    tokens.push({ kind: 'positional', value: arg });
  }
  return tokens;
}
