/**
 * The one-line report every load generator prints: `BENCH_JSON {...}` (bench/lua/report.lua for
 * wrk, bench/load/node-load-child.ts for the fallback), and its parsing into a {@link LoadResult}.
 */
import type { LoadResult } from './load.js';

export const REPORT_MARKER = 'BENCH_JSON ';

/** The report as printed, in wrk's units (microseconds). */
export interface LoadReport {
  requests: number;
  durationUs: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { p50: number; p90: number; p99: number; mean: number; max: number };
  counters: Record<string, number>;
}

/** Finds the report line in a generator's output; throws with the output when there is none. */
export function parseLoadOutput(
  stdout: string,
  stderr: string,
  code: number | null,
  generator: string,
): LoadResult {
  const line = stdout.split('\n').find((text) => text.startsWith(REPORT_MARKER));
  if (code !== 0 || line === undefined) {
    throw new Error(`${generator} failed (exit ${String(code)}): ${stderr.trim() || stdout.trim()}`);
  }
  const report = JSON.parse(line.slice(REPORT_MARKER.length)) as LoadReport;
  const { errors, latencyUs } = report;
  return {
    requests: report.requests,
    seconds: report.durationUs / 1e6,
    errors: { socket: errors.connect + errors.read + errors.write + errors.timeout, status: errors.status },
    latencyMs: {
      p50: latencyUs.p50 / 1000,
      p90: latencyUs.p90 / 1000,
      p99: latencyUs.p99 / 1000,
      mean: latencyUs.mean / 1000,
      max: latencyUs.max / 1000,
    },
    counters: report.counters,
  };
}
