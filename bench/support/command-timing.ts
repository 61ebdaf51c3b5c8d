/**
 * Wall time of whole commands (spawn to exit), several commands interleaved run by run so that
 * a noisy moment slows them alike; the first runs warm the file cache and are dropped.
 */
import { runProcess, type ProcessResult } from './run-process.js';
import { summarize, type SampleSummary } from './stats.js';

export interface TimedCommand {
  readonly name: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Throws when a run's result is wrong (a timing of a failing command means nothing). */
  readonly check?: (result: ProcessResult) => void;
}

/**
 * Runs each command `runs` times (after `warmup` unrecorded runs), interleaved.
 * @returns the wall times (ms) per command name.
 */
export async function timeCommands(
  commands: readonly TimedCommand[],
  runs: number,
  warmup = 2,
): Promise<Map<string, SampleSummary & { samples: number[] }>> {
  const samples = new Map<string, number[]>(commands.map((command) => [command.name, []]));
  for (let run = 0; run < warmup + runs; run++) {
    // Alternate the order too, so neither always runs right after the other.
    const order = run % 2 === 0 ? commands : [...commands].reverse();
    for (const command of order) {
      const result = await runProcess(command.file, command.args, {
        env: command.env ?? process.env,
        timeoutMs: 30_000,
      });
      if (result.code !== 0)
        throw new Error(`${command.name} exited ${String(result.code)}: ${result.stderr.trim()}`);
      command.check?.(result);
      if (run >= warmup) samples.get(command.name)?.push(result.wallMs);
    }
  }
  return new Map([...samples].map(([name, values]) => [name, { ...summarize(values), samples: values }]));
}
