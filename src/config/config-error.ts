import { formatKeyPath, type ConfigProblem } from './problem.js';

/** Where a problem is in a source text, when known (1-based). */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** A problem as reported: its source, position and key path. */
export interface LocatedProblem extends ConfigProblem {
  /** The file, or what took the input (`--port`, `IMDS_PORT`, `control API request body`). */
  readonly source: string;
  readonly position?: SourcePosition;
}

/**
 * One problem on one line: `imds.yaml:12:5: scenarios[0].action: expected ...`; a problem with
 * neither position nor key path reads as a sentence about its source (`--port must be ...`).
 */
export function formatProblem(problem: LocatedProblem): string {
  if (problem.path.length === 0 && problem.position === undefined)
    return `${problem.source} ${problem.message}`;
  const where = problem.position
    ? `${problem.source}:${problem.position.line}:${problem.position.column}`
    : problem.source;
  return `${where}: ${problem.path.length === 0 ? '' : `${formatKeyPath(problem.path)}: `}${problem.message}`;
}

/**
 * A configuration that cannot be used, with every problem found (not just the first), each one
 * line naming its file, position and key path, what was expected, and a suggestion for a likely
 * typo. `imds serve` prints the message and exits with code 2 without starting anything.
 *
 * @example
 * ```ts
 * try { loadConfigFile('imds.yaml'); } catch (error) {
 *   if (error instanceof ConfigError) console.error(error.message); // one line per problem
 * }
 * ```
 */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
  /** Stable and machine-readable, in the emulator's convention (kebab-case, as the control API's `error` field). */
  readonly code: string = 'invalid-config';
  readonly problems: readonly LocatedProblem[];

  constructor(problems: readonly LocatedProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }

  /** The problems' lines, one per problem. */
  get lines(): string[] {
    return this.problems.map(formatProblem);
  }
}
