/** `imds serve` run in-process on loopback, with its output captured and a way to stop it. */
import { serve } from '../../../src/cli/serve.js';

export interface ServeRun {
  /** The metadata URL from the banner (undefined when the command ended before starting). */
  readonly url: string | undefined;
  out(): string;
  err(): string;
  /** Stops the server (as SIGINT would) and resolves to the exit code. */
  stop(): Promise<number>;
}

/** Starts `imds serve args` and resolves once the banner is printed, or the command has ended. */
export async function serveInProcess(args: string[], env: Record<string, string> = {}): Promise<ServeRun> {
  const out: string[] = [];
  const err: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const ready = new Promise<void>((resolve) => (started = resolve));
  const exit = serve(
    args,
    {
      stdout: (text) => void out.push(String(text)),
      stderr: (text) => void err.push(text),
      env,
    },
    () => {
      started();
      return released;
    },
  );
  await Promise.race([ready, exit]);
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out.join(''))?.[1];
  return {
    url,
    out: () => out.join(''),
    err: () => err.join(''),
    stop: () => {
      release();
      return exit;
    },
  };
}

/** Waits until `predicate` holds, polling every few ms; fails after `limitMs` with `what`. */
export async function eventually(predicate: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const until = Date.now() + limitMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
