/**
 * `dump()`: the whole tree under `/latest/` (meta-data, dynamic, user-data) as nested JSON.
 * Directories become objects keyed by path segment (`public-keys/0=my-key` is keyed `0`, as its
 * path is `public-keys/0/`); JSON leaves (documents, credentials, events) are parsed; other leaves
 * stay strings; a leaf that is not UTF-8 (binary user data) becomes `{ "base64": "..." }` (see
 * {@link leafValue}).
 *
 * Requests run in parallel, at most `concurrency` at once. A slot is held only for one request,
 * never while a directory waits for its children, so the walk cannot starve itself.
 *
 * The walk is bounded, so a hostile or broken peer cannot exhaust memory or time: at most
 * `maxEntries` listed entries in total, at most `deadlineMs` for the whole dump, at most
 * {@link MAX_DEPTH} levels; each bound ends the dump with a clear error.
 */
import { ImdsNotFoundError, ImdsResponseError, ImdsTimeoutError } from './errors.js';
import { malformed, type JsonValue } from './json.js';
import { leafValue } from './leaf-value.js';
import { createLimiter } from './limiter.js';
import { LATEST } from '../wire.js';

/** A directory of the dump: child name to subtree or leaf value. */
export interface DumpTree {
  [name: string]: DumpValue;
}
export type DumpValue = JsonValue | DumpTree;

/** What the walk reads with; the client's own `list` and `getBytes`. */
export interface DumpReader {
  list(path: string): Promise<string[]>;
  getBytes(path: string): Promise<Uint8Array>;
}

export interface DumpOptions {
  /** Most requests in flight at once. Default 8. */
  concurrency?: number;
  /**
   * Most entries (directories and leaves) listed in the whole tree. Default
   * {@link DEFAULT_DUMP_MAX_ENTRIES}; past it the dump fails with `BODY_TOO_LARGE`.
   */
  maxEntries?: number;
  /**
   * Most milliseconds for the whole dump, all requests included. Default
   * {@link DEFAULT_DUMP_DEADLINE_MS}; past it the dump fails with `TIMEOUT`.
   */
  deadlineMs?: number;
}

export const DEFAULT_DUMP_CONCURRENCY = 8;
/** A real tree lists a few hundred entries (50 tags at most); 10,000 leaves room for big user setups. */
export const DEFAULT_DUMP_MAX_ENTRIES = 10_000;
/** The default tree dumps in well under a second; a minute is room for a slow network. */
export const DEFAULT_DUMP_DEADLINE_MS = 60_000;
/** Deeper than any real tree (about 8 levels): a peer inventing directories forever is cut off here. */
const MAX_DEPTH = 16;
/** Top-level names the service lists without a trailing slash although they are directories. */
const BARE_DIRECTORIES = new Set(['meta-data', 'dynamic']);

/**
 * Walks the tree and returns it.
 * @example
 * ```ts
 * const tree = await dumpTree({ list: (p) => client.list(p), getBytes: (p) => client.getBytes(p) });
 * tree['meta-data']['instance-id']; // 'i-0410f3c9b2d5e8a71'
 * ```
 */
export async function dumpTree(reader: DumpReader, options: DumpOptions = {}): Promise<DumpTree> {
  const maxEntries = bound(
    'maxEntries',
    options.maxEntries,
    DEFAULT_DUMP_MAX_ENTRIES,
    Number.MAX_SAFE_INTEGER,
  );
  const deadlineMs = bound('deadlineMs', options.deadlineMs, DEFAULT_DUMP_DEADLINE_MS, 2 ** 31 - 1);
  const limiter = createLimiter(options.concurrency ?? DEFAULT_DUMP_CONCURRENCY);
  let stopped: Error | undefined;
  // Once a bound is hit, queued requests are not sent: the walk winds down at once.
  const limit = <T>(task: () => Promise<T>) => limiter(() => (stopped ? Promise.reject(stopped) : task()));
  let listed = 0;

  async function walk(path: string, depth: number): Promise<DumpTree> {
    if (depth > MAX_DEPTH) throw malformed(path, `nests deeper than ${MAX_DEPTH} levels`);
    const entries = await limit(() => reader.list(path));
    listed += entries.length;
    if (listed > maxEntries) {
      stopped ??= new ImdsResponseError(
        'BODY_TOO_LARGE',
        `the tree lists more than ${maxEntries} entries; raise maxEntries (imds dump --max-entries) if that is expected`,
        { status: 200, path },
      );
      throw stopped;
    }
    const children = await Promise.all(entries.map((entry) => visit(path, entry, depth)));
    // No prototype: a child named `__proto__` is a child like any other.
    const tree: DumpTree = Object.create(null);
    for (const child of children) if (child) tree[child.name] = child.value;
    return tree;
  }

  async function visit(
    parent: string,
    entry: string,
    depth: number,
  ): Promise<{ name: string; value: DumpValue } | undefined> {
    const { name, directory } = parseEntry(parent, entry, depth === 0);
    if (directory) return { name, value: await walk(`${parent}${name}/`, depth + 1) };
    try {
      return { name, value: leafValue(await limit(() => reader.getBytes(parent + name))) };
    } catch (error) {
      // Listed a moment ago and gone now (a notice withdrawn mid-walk): absent, like the service says.
      if (error instanceof ImdsNotFoundError) return undefined;
      throw error;
    }
  }

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      stopped ??= new ImdsTimeoutError('dump', deadlineMs, { path: `/${LATEST}/` });
      reject(stopped);
    }, deadlineMs);
  });
  try {
    return await Promise.race([walk(`/${LATEST}/`, 0), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function bound(name: string, given: number | undefined, fallback: number, max: number): number {
  if (given === undefined) return fallback;
  if (!Number.isSafeInteger(given) || given < 1 || given > max)
    throw new RangeError(`${name} must be an integer from 1 to ${max}; got ${given}`);
  return given;
}

function parseEntry(parent: string, entry: string, topLevel: boolean): { name: string; directory: boolean } {
  const keyed = /^([0-9]+)=/.exec(entry);
  const directory = entry.endsWith('/') || keyed !== null || (topLevel && BARE_DIRECTORIES.has(entry));
  const name = keyed ? (keyed[1] as string) : entry.replace(/\/$/, '');
  // A listing names children; anything that could climb or jump elsewhere is not one.
  if (name === '' || name === '.' || name === '..' || name.includes('/'))
    throw malformed(parent, 'lists an entry that is not a child name');
  return { name, directory };
}
