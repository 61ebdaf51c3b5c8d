/** The printed table: one line per row, columns padded, pass/fail per target. */
import { passes, type FigureRow } from './figure.js';
import { ratio } from './format.js';

const HEADERS = ['#', 'Measure', 'Value', 'Baseline (same run)', 'Ratio', 'Target', 'Result'] as const;

/** The target as printed: `>= 0.90x`, `<= 10 MiB`. */
export function describeTarget(row: FigureRow): string {
  if (row.target === undefined) return '—';
  const { op, value, unit = 'x' } = row.target;
  return unit === 'x' ? `${op} ${value.toFixed(2)}x` : `${op} ${value} ${unit}`;
}

export function resultOf(row: FigureRow): string {
  const ok = passes(row);
  return ok === undefined ? 'info' : ok ? 'PASS' : 'FAIL';
}

/**
 * Renders the rows as a Markdown table (readable in a terminal, pasteable in the README), notes
 * underneath.
 */
export function renderTable(rows: readonly FigureRow[]): string {
  const cells = rows.map((row) => [
    row.figure,
    row.measure,
    row.value,
    row.baseline,
    ratio(row.ratio),
    describeTarget(row),
    resultOf(row),
  ]);
  const widths = HEADERS.map((header, column) =>
    Math.max(header.length, ...cells.map((line) => (line[column] as string).length)),
  );
  const line = (values: readonly string[]) =>
    `| ${values.map((value, column) => value.padEnd(widths[column] as number)).join(' | ')} |`;
  const notes = rows
    .filter((row) => row.note)
    .map((row) => `- ${row.figure} ${row.measure}: ${row.note as string}`);
  return [
    line(HEADERS),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map(line),
    '',
    ...notes,
  ].join('\n');
}
