/**
 * What a figure reports: rows for the table (each a ratio to a baseline measured in the same run,
 * with its target) and the raw measurements for bench/results.json.
 */
import type { Pinning } from './cpus.js';
import type { LoadGenerator } from './load.js';
import type { BenchSettings } from './settings.js';

/** A target on a ratio: `>= 0.9` or `<= 2`. */
export interface Target {
  readonly op: '>=' | '<=';
  readonly value: number;
  /** What the ratio compares, when the row's measure does not say it already. */
  readonly unit?: 'x' | 'MiB';
}

/** One line of the table. */
export interface FigureRow {
  /** `1`, `2`... as in issue 5. */
  readonly figure: string;
  readonly measure: string;
  /** The measured thing, formatted with its unit. */
  readonly value: string;
  /** The baseline's name and value, formatted. */
  readonly baseline: string;
  /** value ÷ baseline; null when a ratio means nothing for the row. */
  readonly ratio: number | null;
  /** What is checked: the ratio, or (for memory) the absolute value. */
  readonly target?: Target;
  /** The number checked against the target. */
  readonly checked?: number;
  readonly note?: string;
}

export interface FigureContext {
  readonly settings: BenchSettings;
  readonly load: LoadGenerator;
  readonly pinning: Pinning;
  /** Extra node flags for the emulator child (`--cpu-prof ...` with `--profile`). */
  readonly emulatorFlags: readonly string[];
  log(message: string): void;
}

export interface FigureOutcome {
  readonly rows: readonly FigureRow[];
  readonly details: unknown;
}

export interface Figure {
  readonly id: string;
  readonly title: string;
  run(context: FigureContext): Promise<FigureOutcome>;
}

/** Whether a row meets its target; undefined when it has none. */
export function passes(row: FigureRow): boolean | undefined {
  if (row.target === undefined || row.checked === undefined || Number.isNaN(row.checked)) return undefined;
  return row.target.op === '>=' ? row.checked >= row.target.value : row.checked <= row.target.value;
}

/** A ratio target row: checked is the ratio. */
export function ratioRow(row: Omit<FigureRow, 'checked'> & { ratio: number }): FigureRow {
  return { ...row, checked: row.target ? row.ratio : undefined };
}
