/**
 * What `/proc/<pid>` says about a process: executable, command line, user, parent, cgroup and
 * container id. Every read tolerates the process exiting meanwhile (the field is left out).
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { loggable } from '../server/request-log.js';

/** A process that made a request, as the request log reports it. */
export interface ProcessInfo {
  readonly pid: number;
  /** The executable's path (`/usr/bin/curl`); absent when not readable. */
  readonly exe?: string;
  /** The command line, arguments joined by spaces, token-shaped runs masked, cut as the request log cuts text. */
  readonly cmdline?: string;
  readonly uid?: number;
  /** The user name from `/etc/passwd`, when it has one. */
  readonly user?: string;
  readonly ppid?: number;
}

/** The caller, its ancestors and its container. */
export interface CallerProcess extends ProcessInfo {
  /** Parent, grandparent... up to {@link PARENT_DEPTH} levels, stopping before pid 1. */
  readonly parents: readonly ProcessInfo[];
  /** The cgroup v2 path (or the first v1 path), e.g. `/system.slice/docker-<id>.scope`. */
  readonly cgroup?: string;
  /** A 64-hex container id found in the cgroup path (docker, containerd, CRI-O, podman). */
  readonly containerId?: string;
}

export const PARENT_DEPTH = 3;

const CONTAINER_ID = /(?:^|[/-])([0-9a-f]{64})(?:\.scope)?(?:\/|$)/;

/** Reads a process and its parents under `procRoot`; undefined when the process is gone. */
export function readCallerProcess(
  procRoot: string,
  pid: number,
  users: UserNames,
): CallerProcess | undefined {
  const self = readProcess(procRoot, pid, users);
  if (!self) return undefined;
  const parents: ProcessInfo[] = [];
  let next = self.ppid;
  while (next !== undefined && next > 1 && parents.length < PARENT_DEPTH) {
    const parent = readProcess(procRoot, next, users);
    if (!parent) break;
    parents.push(parent);
    next = parent.ppid;
  }
  const cgroup = readCgroup(procRoot, pid);
  const containerId = cgroup === undefined ? undefined : CONTAINER_ID.exec(cgroup)?.[1];
  return {
    ...self,
    parents,
    ...(cgroup === undefined ? {} : { cgroup }),
    ...(containerId === undefined ? {} : { containerId }),
  };
}

function readProcess(procRoot: string, pid: number, users: UserNames): ProcessInfo | undefined {
  const status = readText(`${procRoot}/${pid}/status`);
  if (status === undefined) return undefined;
  const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
  const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
  const exe = readLink(`${procRoot}/${pid}/exe`);
  const rawCmdline = readText(`${procRoot}/${pid}/cmdline`);
  // Tokens passed as arguments (`curl -H "X-aws-ec2-metadata-token: AQAA..."`) are masked, as in paths.
  const cmdline =
    rawCmdline === undefined ? undefined : loggable(rawCmdline.replace(/\0+$/, '').replaceAll('\0', ' '));
  const user = Number.isNaN(uid) ? undefined : users.nameOf(uid);
  return {
    pid,
    ...(exe === undefined ? {} : { exe }),
    ...(cmdline ? { cmdline } : {}),
    ...(Number.isNaN(uid) ? {} : { uid }),
    ...(user === undefined ? {} : { user }),
    ...(Number.isNaN(ppid) ? {} : { ppid }),
  };
}

function readCgroup(procRoot: string, pid: number): string | undefined {
  const text = readText(`${procRoot}/${pid}/cgroup`);
  if (text === undefined) return undefined;
  const lines = text.split('\n').filter((line) => line.length > 0);
  // cgroup v2 is the `0::/path` line; on v1 the first controller's path stands for all.
  const line = lines.find((each) => each.startsWith('0::')) ?? lines[0];
  return line?.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** User names by uid from a passwd file, read once and again when an unknown uid shows up. */
export class UserNames {
  #names: Map<number, string> | undefined;
  #refreshed = false;

  constructor(private readonly passwdPath = '/etc/passwd') {}

  nameOf(uid: number): string | undefined {
    if (!this.#names) this.#load();
    const name = this.#names?.get(uid);
    if (name !== undefined || this.#refreshed) return name;
    this.#refreshed = true;
    this.#load();
    return this.#names?.get(uid);
  }

  #load(): void {
    const names = new Map<number, string>();
    for (const line of (readText(this.passwdPath) ?? '').split('\n')) {
      const [name, , uid] = line.split(':');
      if (name && uid !== undefined && /^\d+$/.test(uid)) names.set(Number(uid), name);
    }
    this.#names = names;
  }
}
