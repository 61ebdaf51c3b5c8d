/**
 * Pieces of a fake procfs for attribution tests: a socket table's header and rows as the kernel
 * writes them, and a process directory (status, cmdline, cgroup, exe, fd links).
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const TABLE_HEADER =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

/** Row `n` of `/proc/net/tcp`: `local` -> `remote` (encoded endpoints) in `state`, holding `inode`. */
export function tableRow(n: number, local: string, remote: string, state: string, inode: number): string {
  return `${String(n).padStart(6)}: ${local} ${remote} ${state} 00000000:00000000 03:00001770 00000000     0        0 ${inode} 3 0000000000000000\n`;
}

/** A process as `/proc/<pid>` shows it; `fds[i]` is the target of `fd/<i>`. */
export interface FakeProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly uid: number;
  readonly exe: string;
  readonly cmdline: string;
  readonly fds: readonly string[];
  readonly cgroup?: string;
}

/** Writes `/proc/<pid>` for `process` under `root`. */
export function writeFakeProcess(root: string, process: FakeProcess): void {
  const dir = join(root, String(process.pid));
  const { ppid, uid } = process;
  mkdirSync(join(dir, 'fd'), { recursive: true });
  writeFileSync(join(dir, 'status'), `Name:\tx\nPPid:\t${ppid}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
  writeFileSync(join(dir, 'cmdline'), process.cmdline);
  writeFileSync(join(dir, 'cgroup'), process.cgroup ?? '0::/\n');
  symlinkSync(process.exe, join(dir, 'exe'));
  for (const [fd, target] of process.fds.entries()) symlinkSync(target, join(dir, 'fd', String(fd)));
}

/** A `curl` (pid 41, root) holding the socket with `inode`, the caller most tests look up. */
export function writeFakeCurl(root: string, inode: number): void {
  writeFakeProcess(root, {
    pid: 41,
    ppid: 1,
    uid: 0,
    exe: '/usr/bin/curl',
    cmdline: 'curl\0',
    fds: [`socket:[${inode}]`],
  });
}
