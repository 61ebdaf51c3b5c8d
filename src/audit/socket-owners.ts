/**
 * Which process holds a socket: the `/proc/<pid>/fd/*` link that reads `socket:[<inode>]`. There
 * is no index from inode to process, so this walks processes, most likely first: the recent
 * callers given, then the newest processes (highest pid first: a caller that is about to exit,
 * such as `curl`, is usually among the newest), and stops as soon as every inode is found.
 */
import { readdirSync, readlinkSync } from 'node:fs';

/** The pid holding each inode asked for; inodes no process holds are absent. */
export function findSocketOwners(
  procRoot: string,
  inodes: ReadonlySet<number>,
  likelyPids: Iterable<number> = [],
): Map<number, number> {
  const owners = new Map<number, number>();
  if (inodes.size === 0) return owners;
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  const tried = new Set<number>();
  const visit = (pid: number): boolean => {
    if (tried.has(pid)) return false;
    tried.add(pid);
    let fds: string[];
    try {
      fds = readdirSync(`${procRoot}/${pid}/fd`);
    } catch {
      return false; // exited, or not ours to read
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`${procRoot}/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (!wanted.has(target)) continue;
      wanted.delete(target);
      owners.set(Number(target.slice(8, -1)), pid);
      if (wanted.size === 0) return true;
    }
    return false;
  };
  for (const pid of likelyPids) if (visit(pid)) return owners;
  for (const pid of listPids(procRoot)) if (visit(pid)) return owners;
  return owners;
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
