/**
 * A server started as a plain command (the shipped `imds serve`, or a peer emulator's binary), watched
 * from outside through `/proc`: the same readings for every server, whatever it is written in.
 * Loopback only: the caller passes the address the command must listen on.
 *
 * Its stderr (both log a line per request by default) goes to a file, not a pipe: reading a pipe
 * would put the bench's own process on the measured path, and a file keeps the whole crash report
 * of a server that dies (Go prints `fatal error: ...` first, then every goroutine's stack).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  closeSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  truncateSync,
} from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
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
  /**
   * The part of {@link rssBytes} that is the process's own (`RssAnon` + `RssShmem`): the rest is
   * pages of files it maps, the `node` binary's above all, shared with every process that maps them.
   */
  privateRssBytes(): number;
  /**
   * Undefined while it runs; once it died, how (exit code or signal) and why: the first
   * `fatal error:` or `panic:` line of its stderr, else the last lines.
   */
  death(): string | undefined;
  /** The file its stderr goes to (removed by stop()). */
  readonly logFile: string;
  /** Empties the stderr file (between load runs: a server that logs every request fills it fast). */
  trimLog(): void;
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
  /** The working directory (a Node command that loads tsx runs from the repository). */
  readonly cwd?: string;
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
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'imds-bench-server-'));
  const logFile = path.join(logDir, 'stderr.log');
  // Append mode, so the server's writes land at the end after trimLog() empties the file.
  const logFd = openSync(logFile, 'a');
  const child = spawn(file, args, {
    stdio: ['ignore', 'ignore', logFd],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  closeSync(logFd);
  const exited = once(child, 'exit');
  const removeLog = () => rmSync(logDir, { recursive: true, force: true });
  child.once('exit', () => {
    // Keep the log of a server that died on its own until death() was read; drop it otherwise.
    if (child.signalCode === 'SIGTERM' || child.signalCode === 'SIGKILL') removeLog();
  });
  const stderr = () => readTail(logFile);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: could not start ${options.command}`);
  const deadline = started + (options.startTimeoutMs ?? 15_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${options.name} exited before answering: ${stderr()}`);
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
    logFile,
    cpuMicros() {
      // Fields after the command name (which may hold spaces), so split after its closing parenthesis.
      const stat = procStat();
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      return (ticks * 1e6) / TICKS_PER_SECOND;
    },
    rssBytes() {
      return statusKib(pid, 'VmRSS') * 1024;
    },
    privateRssBytes() {
      return (statusKib(pid, 'RssAnon') + statusKib(pid, 'RssShmem')) * 1024;
    },
    death() {
      if (child.exitCode === null && child.signalCode === null) return undefined;
      return `exited (${child.signalCode ?? child.exitCode}): ${crashReason(stderr())}`;
    },
    trimLog() {
      if (child.exitCode === null && child.signalCode === null) truncateSync(logFile, 0);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) {
        removeLog();
        return;
      }
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      removeLog();
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

/** The last 256 KiB of a log file (a Go crash report with its goroutine stacks fits), or ''. */
function readTail(file: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(size, 256 * 1024));
    readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Why a server died, from its stderr: the Go runtime's `fatal error: concurrent map writes` or a
 * `panic:` line when there is one (the stacks after it say less), else its last three lines.
 * @example
 * ```ts
 * crashReason('log line\nfatal error: concurrent map writes\n\ngoroutine 7 [running]:'); // 'fatal error: concurrent map writes'
 * ```
 */
export function crashReason(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim());
  const fatal = lines.find((line) => /^(fatal error|panic):/.test(line));
  if (fatal !== undefined) return fatal;
  return lines
    .filter((line) => line !== '')
    .slice(-3)
    .join(' | ');
}

/** A `kB` field of `/proc/<pid>/status`; NaN when it is missing (the process is gone). */
function statusKib(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : Number.NaN;
}
