/**
 * The `--exec` hook of `imds watch`: runs a shell command for each change, one at a time in the
 * order the changes were seen, with the change in its environment:
 *
 * - `IMDS_EVENT`: `spot-interruption`, `rebalance-recommendation`, `scheduled-events` or `target-lifecycle-state`
 * - `IMDS_EVENT_PATH`: the metadata path (`/latest/meta-data/spot/instance-action`)
 * - `IMDS_EVENT_CURRENT`, `IMDS_EVENT_PREVIOUS`: the values as JSON (`null` when absent)
 * - `IMDS_EVENT_JSON`: the whole line `imds watch` printed
 *
 * The hook's own output goes to stderr, so stdout stays a clean stream of JSON lines.
 */
import { spawn } from 'node:child_process';
import type { CommandIo } from './io.js';
import type { WatchChange } from './client-watch.js';

/** Queues hook runs so they never overlap; `drain()` resolves when all queued runs have ended. */
export class HookRunner {
  readonly #command: string;
  readonly #io: CommandIo;
  #queue: Promise<void> = Promise.resolve();

  constructor(command: string, io: CommandIo) {
    this.#command = command;
    this.#io = io;
  }

  /** Queues one run for `change`, whose printed form is `line`. */
  enqueue(change: WatchChange, line: string): void {
    this.#queue = this.#queue.then(() => this.#run(change, line));
  }

  drain(): Promise<void> {
    return this.#queue;
  }

  #run(change: WatchChange, line: string): Promise<void> {
    return new Promise((resolve) => {
      const child = spawn(this.#command, {
        shell: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...this.#io.env,
          IMDS_EVENT: change.event,
          IMDS_EVENT_PATH: change.path,
          IMDS_EVENT_CURRENT: JSON.stringify(change.current),
          IMDS_EVENT_PREVIOUS: JSON.stringify(change.previous),
          IMDS_EVENT_JSON: line,
        },
      });
      child.stdout.on('data', (chunk: Buffer) => this.#io.stderr(chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => this.#io.stderr(chunk.toString()));
      child.on('error', (error) => {
        this.#io.stderr(`imds watch: --exec could not start: ${error.message}\n`);
        resolve();
      });
      child.on('close', (code, signal) => {
        if (code !== 0)
          this.#io.stderr(`imds watch: --exec exited with ${signal ?? code} for ${change.event}\n`);
        resolve();
      });
    });
  }
}
