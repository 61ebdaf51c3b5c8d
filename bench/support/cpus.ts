/**
 * CPU pinning: on a machine with at least two cores, the server under test runs on core 0 and the
 * load generator on core 1, so they never compete for one core and every server in a comparison
 * gets the same conditions. Without `taskset` (or with one core) nothing is pinned, and the table
 * says so.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface Pinning {
  /** Prefix for a command that must run on the server's core, or [] when unpinned. */
  readonly server: readonly string[];
  /** Prefix for the load generator's command, or []. */
  readonly load: readonly string[];
  readonly description: string;
}

/** Decides the pinning for this machine; `enabled: false` (`--no-pin`) turns it off. */
export function choosePinning(enabled: boolean): Pinning {
  const cores = os.availableParallelism();
  if (!enabled) return { server: [], load: [], description: `off (--no-pin), ${cores} cores` };
  if (cores < 2 || !hasTaskset())
    return {
      server: [],
      load: [],
      description: `off (${cores} cores, taskset ${hasTaskset() ? 'found' : 'missing'})`,
    };
  return {
    server: ['taskset', '-c', '0'],
    load: ['taskset', '-c', '1'],
    description: `server on core 0, load generator on core 1 (of ${cores})`,
  };
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Splits a prefix + command into spawn's (file, args). */
export function withPrefix(
  prefix: readonly string[],
  file: string,
  args: readonly string[],
): [string, string[]] {
  const [first, ...rest] = prefix;
  return first === undefined ? [file, [...args]] : [first, [...rest, file, ...args]];
}
