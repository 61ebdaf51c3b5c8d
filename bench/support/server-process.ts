/**
 * Starts a bench server ({@link ServerKind}) in a child process and talks to it over IPC.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { withPrefix } from './cpus.js';
import { benchFile, REPO_ROOT } from './paths.js';
import type { FromServer, ServerKind, ServerStats, ToServer } from '../servers/kinds.js';

/** A running server child. */
export interface ServerProcess {
  readonly kind: ServerKind;
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Counters, CPU time and memory; `collectGarbage` runs a full GC before reading memory. */
  stats(collectGarbage?: boolean): Promise<ServerStats>;
  /** Asks the child to close and waits for it to exit (killing it after 5 s). */
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  /** Command prefix, e.g. `taskset -c 0`. */
  readonly prefix?: readonly string[];
  /** Extra node flags, e.g. `--cpu-prof`. */
  readonly nodeFlags?: readonly string[];
  /** How long the child may take to listen (the 10,000-instance fleet builds every instance first). */
  readonly readyTimeoutMs?: number;
  /** Extra environment variables for the child (the proxy's `IMDS_BENCH_UPSTREAM`). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Spawns the child and waits until it listens.
 * @example
 * ```ts
 * const raw = await startServerProcess('raw-net', { prefix: ['taskset', '-c', '0'] });
 * await raw.stop();
 * ```
 */
export async function startServerProcess(
  kind: ServerKind,
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const nodeArgs = [
    '--expose-gc',
    ...(options.nodeFlags ?? []),
    '--import',
    'tsx',
    benchFile('servers/child.ts'),
    kind,
  ];
  const [file, args] = withPrefix(options.prefix ?? [], process.execPath, nodeArgs);
  const child = spawn(file, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...options.env },
  });
  const ready = await nextMessage(child, options.readyTimeoutMs ?? 15_000);
  if (ready.type !== 'ready') throw new Error(`bench server ${kind}: expected 'ready', got '${ready.type}'`);
  const port = ready.port;
  return {
    kind,
    port,
    url: `http://127.0.0.1:${port}`,
    async stats(collectGarbage = false) {
      child.send({ type: 'stats', collectGarbage } satisfies ToServer);
      const reply = await nextMessage(child, 15_000);
      if (reply.type !== 'stats')
        throw new Error(`bench server ${kind}: expected 'stats', got '${reply.type}'`);
      return reply.stats;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.send({ type: 'stop' } satisfies ToServer);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function nextMessage(child: ChildProcess, timeoutMs: number): Promise<FromServer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`bench server did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: FromServer) => finish(undefined, message);
    const onExit = (code: number | null) => finish(new Error(`bench server exited (code ${String(code)})`));
    function finish(error?: Error, message?: FromServer): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(message as FromServer);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
