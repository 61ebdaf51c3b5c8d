/**
 * How long and how often each figure measures: `--quick` (under 3 minutes in all) or the full run.
 */
export interface BenchSettings {
  readonly quick: boolean;
  /** Figure 1: interleaved rounds (each server once per round and concurrency), seconds per wrk run, warm-up seconds. */
  readonly throughput: { readonly rounds: number; readonly seconds: number; readonly warmupSeconds: number };
  /** Figure 2: interleaved rounds of GET-only and PUT+GET, seconds per run. */
  readonly tokenPairs: { readonly rounds: number; readonly seconds: number };
  /** Figure 3: token PUTs between the RSS readings, and the bound on the time they may take. */
  readonly memory: { readonly puts: number; readonly maxSeconds: number };
  /** Figure 4: runs of each command (after two discarded warm-up runs). */
  readonly cliRuns: number;
  /** Figure 5: timed calls of each kind. */
  readonly clientCalls: number;
  /** Figure 6: runs of each walk. */
  readonly dumpRuns: number;
  /** Figure 7: starts of each command. */
  readonly serveRuns: number;
}

export const FULL_SETTINGS: BenchSettings = {
  quick: false,
  throughput: { rounds: 5, seconds: 6, warmupSeconds: 2 },
  tokenPairs: { rounds: 5, seconds: 6 },
  memory: { puts: 1_000_000, maxSeconds: 300 },
  cliRuns: 41,
  clientCalls: 5_000,
  dumpRuns: 15,
  serveRuns: 21,
};

export const QUICK_SETTINGS: BenchSettings = {
  quick: true,
  throughput: { rounds: 3, seconds: 2, warmupSeconds: 1 },
  tokenPairs: { rounds: 3, seconds: 2 },
  memory: { puts: 200_000, maxSeconds: 40 },
  cliRuns: 15,
  clientCalls: 1_000,
  dumpRuns: 5,
  serveRuns: 9,
};
