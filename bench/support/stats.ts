/** Small statistics over samples; the bench reports medians because shared machines are noisy. */

/** The median; NaN for no samples. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The q-quantile (0..1) with linear interpolation; NaN for no samples. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + (high - low) * (position - below);
}

/** Summary of timing samples, in the samples' unit. */
export interface SampleSummary {
  readonly n: number;
  readonly median: number;
  readonly p25: number;
  readonly p75: number;
  readonly min: number;
}

export function summarize(values: readonly number[]): SampleSummary {
  return {
    n: values.length,
    median: median(values),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    min: values.length === 0 ? Number.NaN : Math.min(...values),
  };
}
