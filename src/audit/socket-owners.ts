/**
 * Which process holds a socket: the `/proc/<pid>/fd/*` link that reads `socket:[<inode>]`. There
 * is no index from inode to process, so this walks processes, most likely first: the recent
 * callers given, then the newest processes (highest pid first: a caller that is about to exit,
 * such as `curl`, is usually among the newest), and stops as soon as every inode is found.
 */
import { readdirSync, readlinkSync } from 'node:fs';

/**
 * The pid holding each inode asked for (inodes no process visible here holds are absent), and
 * whether some process's descriptors could not be read (another user's, without
 * `CAP_DAC_READ_SEARCH` and `CAP_SYS_PTRACE`): a missing inode may then be held by one of those,
 * not by a process that exited.
 */
export function findSocketOwners(
  procRoot: string,
  inodes: ReadonlySet<number>,
  likelyPids: Iterable<number> = [],
): { owners: Map<number, number>; unreadable: boolean } {
  const owners = new Map<number, number>();
  let unreadable = false;
  if (inodes.size === 0) return { owners, unreadable };
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  const tried = new Set<number>();
  const visit = (pid: number): boolean => {
    if (tried.has(pid)) return false;
    tried.add(pid);
    let fds: string[];
    try {
      fds = readdirSync(`${procRoot}/${pid}/fd`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') unreadable = true;
      return false; // exited, or not ours to read
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`${procRoot}/${pid}/fd/${fd}`);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EACCES' || code === 'EPERM') unreadable = true;
        continue;
      }
      if (!wanted.has(target)) continue;
      wanted.delete(target);
      owners.set(Number(target.slice(8, -1)), pid);
      if (wanted.size === 0) return true;
    }
    return false;
  };
  for (const pid of likelyPids) if (visit(pid)) return { owners, unreadable };
  for (const pid of listPids(procRoot)) if (visit(pid)) return { owners, unreadable };
  return { owners, unreadable };
}

function listPids(procRoot: string): number[] {
  let names: string[];
  try {
    names = readdirSync(procRoot);
  } catch {
    return [];
  }
  return names
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => b - a);
}
