/**
 * `node:util` `parseArgs` with the messages people need at a terminal: an unknown or misspelt flag
 * names the flag it most likely meant (the same suggestion the configuration file, the `IMDS_*`
 * variables and the control API give), and the usage hint is one line, not the whole help.
 */
import { parseArgs } from 'node:util';
import { suggest } from '../config/suggest.js';

/** One flag, as `parseArgs` takes it. */
export type FlagSpec = {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
};

/** Parsed values: a string, a boolean, or a list for a flag given `multiple`. */
export type FlagValue = string | boolean | string[] | undefined;

/** A command line that could not be parsed; `message` is ready to print after `imds <command>: `. */
export class FlagError extends Error {
  override readonly name = 'FlagError';
}

/**
 * Parses `argv` strictly against `options`.
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
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals }) as {
      values: Record<string, FlagValue>;
      positionals: string[];
    };
  } catch (error) {
    throw new FlagError(describeFlagError(error as Error & { code?: string }, options));
  }
}

function describeFlagError(error: Error & { code?: string }, options: Record<string, FlagSpec>): string {
  const unknown = /Unknown option '([^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown !== undefined) {
    const typed = unknown.replace(/^-+/, '').split('=')[0] as string;
    const meant = suggest(typed, Object.keys(options));
    return `unknown option '${unknown}'${meant ? `; did you mean --${meant}?` : ''}`;
  }
  const missing = /Option '(-\w, )?(--[\w-]+) <value>' argument missing/.exec(error.message);
  if (missing) return `${missing[2]} needs a value`;
  const positional = /Unexpected argument '([^']+)'/.exec(error.message);
  if (positional) return `unexpected argument '${positional[1]}' (this command takes none)`;
  return error.message.split('. ')[0] as string;
}
