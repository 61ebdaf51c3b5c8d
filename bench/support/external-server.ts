/**
 * A server started as a plain command (the shipped `imds serve`, or a peer emulator's binary), watched
 * from outside through `/proc`: the same readings for every server, whatever it is written in.
 * Loopback only: the caller passes the address the command must listen on.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { withPrefix } from './cpus.js';
import { fetchToken } from './http.js';

/** Linux's `USER_HZ`: the unit of utime/stime in /proc/PID/stat on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

export interface ExternalServer {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** Milliseconds from spawn to its first 200 token PUT. */
  readonly startMs: number;
  /** CPU time used so far (user + system), in microseconds. */
  cpuMicros(): number;
  /** Resident set size now, in bytes. */
  rssBytes(): number;
  /** Undefined while it runs; how it ended (exit code or signal, and the end of its stderr) once it died. */
  death(): string | undefined;
  stop(): Promise<void>;
}

export interface ExternalServerOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** `http://127.0.0.1:PORT`, where the command was told to listen. */
  readonly url: string;
  readonly prefix?: readonly string[];
  readonly startTimeoutMs?: number;
}

/**
 * Spawns the command and waits until a token PUT to it succeeds.
 * @example
 * ```ts
 * const peer = await startExternalServer({ name: 'peer', command: bin, args: ['-p', '1400'], url: 'http://127.0.0.1:1400' });
 * ```
 */
export async function startExternalServer(options: ExternalServerOptions): Promise<ExternalServer> {
  if (new URL(options.url).hostname !== '127.0.0.1')
    throw new Error(`${options.name}: the bench only runs servers on 127.0.0.1`);
  const started = performance.now();
  const [file, args] = withPrefix(options.prefix ?? [], options.command, options.args);
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2_000);
  });
  const exited = once(child, 'exit');
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: could not start ${options.command}`);
  const deadline = started + (options.startTimeoutMs ?? 15_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${options.name} exited before answering: ${stderr}`);
    try {
      await fetchToken(options.url, 1_000);
      break;
    } catch (error) {
      if (performance.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${options.name} did not answer a token PUT in time: ${String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  const startMs = performance.now() - started;
  const procStat = () => readFileSync(`/proc/${pid}/stat`, 'utf8');
  return {
    name: options.name,
    url: options.url,
    pid,
    startMs,
    cpuMicros() {
      // Fields after the command name (which may hold spaces), so split after its closing parenthesis.
      const stat = procStat();
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      return (ticks * 1e6) / TICKS_PER_SECOND;
    },
    rssBytes() {
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return match ? Number(match[1]) * 1024 : Number.NaN;
    },
    death() {
      if (child.exitCode === null && child.signalCode === null) return undefined;
      return `exited (${child.signalCode ?? child.exitCode}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A port free on 127.0.0.1 at this moment, for a command that must be told where to listen. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
