/**
 * The same socket rows as `/proc/net/tcp`, from `ss` (iproute2), which asks the kernel over
 * netlink with a filter: only the connections asked for come back, and TIME_WAIT sockets are
 * skipped in the kernel. On a host with tens of thousands of sockets, reading `/proc/net/tcp`
 * costs hundreds of milliseconds; `ss` costs a process start.
 */
import { execFile, spawnSync } from 'node:child_process';
import { canonicalAddress, type SocketRow } from './proc-net.js';

const SS_TIMEOUT_MS = 2_000;

/** `ss` arguments listing the live sockets whose local end is one of `peers`. */
export function ssArguments(peers: readonly { address: string; port: number }[]): string[] {
  const clauses = peers.map(({ address, port }) => {
    const bare = address.replace(/%.*$/, '');
    return `src ${bare.includes(':') ? `[${bare}]` : bare}:${port}`;
  });
  return ['-tnHe', 'exclude', 'time-wait', `( ${clauses.join(' or ')} )`];
}

/** Parses `ss -tnHe` lines: `ESTAB 0 0 127.0.0.1:41970 127.0.0.1:1338 uid:1000 ino:2222 sk:…`. */
export function parseSsRows(text: string): SocketRow[] {
  const rows: SocketRow[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5) continue;
    const local = endpoint(fields[3] as string);
    const remote = endpoint(fields[4] as string);
    const inode = /(?:^|\s)ino:(\d+)/.exec(line)?.[1];
    if (local === undefined || remote === undefined || inode === undefined) continue;
    rows.push({
      local,
      remote,
      state: 0,
      uid: Number(/(?:^|\s)uid:(\d+)/.exec(line)?.[1] ?? 0),
      inode: Number(inode),
    });
  }
  return rows;
}

function endpoint(text: string): string | undefined {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(text);
  if (!match) return undefined;
  return `${canonicalAddress((match[1] as string).replace(/%.*$/, ''))}:${match[2]}`;
}

/** Runs `ss` at once; undefined when it is missing or fails. */
export function ssRowsSync(peers: readonly { address: string; port: number }[]): SocketRow[] | undefined {
  const run = spawnSync('ss', ssArguments(peers), { encoding: 'utf8', timeout: SS_TIMEOUT_MS });
  return run.status === 0 ? parseSsRows(run.stdout) : undefined;
}

/** Runs `ss` without blocking; resolves to undefined when it is missing or fails. */
export function ssRows(
  peers: readonly { address: string; port: number }[],
): Promise<SocketRow[] | undefined> {
  return new Promise((resolve) => {
    execFile('ss', ssArguments(peers), { encoding: 'utf8', timeout: SS_TIMEOUT_MS }, (error, stdout) =>
      resolve(error ? undefined : parseSsRows(stdout)),
    );
  });
}
