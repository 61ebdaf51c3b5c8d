/**
 * The recording: what `imds record` keeps of an instance metadata service, and what
 * `imds serve --from` serves again. In memory it is a list of entries, each a path under a version
 * (`meta-data/placement/` for a directory, `meta-data/ami-id` for a leaf) with the versions it was
 * seen in. On disk it is one YAML or JSON document keyed by path (see `write.ts`), made to be read,
 * edited and diffed by people.
 *
 * @see ../../docs/recording.md
 */

/** The value of the file's `format` key; a reader refuses any other. */
export const RECORDING_FORMAT = 'ec2-imds-recording/1';

/** The path of the version root (`/latest/`), whose listing is `dynamic`, `meta-data`, `user-data`. */
export const ROOT_PATH = '/';

/** Why a leaf's bytes are not in the recording. */
export type OmittedReason =
  | 'role credentials'
  | 'identity credentials'
  | 'identity signature'
  | 'user data'
  | 'redacted';

/**
 * The versions an entry was seen in, in the recording's version order: all of them (undefined),
 * from one on (`since`), up to one (`until`, a category a newer version replaced), or a list.
 */
export type VersionSet =
  | undefined
  | { readonly since: string }
  | { readonly until: string }
  | { readonly in: readonly string[] };

/** A directory: its listing, line for line, in the order served. */
export interface RecordedDirectory {
  readonly kind: 'dir';
  readonly path: string;
  readonly listing: readonly string[];
  readonly versions: VersionSet;
}

/** A leaf: its bytes and content type, or why they were left out (and their shape). */
export interface RecordedLeaf {
  readonly kind: 'leaf';
  readonly path: string;
  /** Absent when {@link omitted} says why. */
  readonly body?: Uint8Array;
  readonly contentType: string;
  readonly omitted?: OmittedReason;
  /** For an omitted JSON document: its keys, in order (the shape, not the values). */
  readonly keys?: readonly string[];
  /** For an omitted leaf: how many bytes it had. */
  readonly size?: number;
  readonly versions: VersionSet;
}

/** A path a listing names that answered 404 when read. */
export interface RecordedMissing {
  readonly kind: 'missing';
  readonly path: string;
  readonly versions: VersionSet;
}

export type RecordedEntry = RecordedDirectory | RecordedLeaf | RecordedMissing;

/** Where and when a recording was made. */
export interface RecordingSource {
  readonly endpoint?: string;
  readonly at?: string;
  readonly tool?: string;
}

/** A whole recording. */
export interface Recording {
  readonly source: RecordingSource;
  /**
   * The metadata options observed: `required` when a token-less read was refused (401),
   * `optional` when it was served; undefined when not observed.
   */
  readonly httpTokens?: 'required' | 'optional';
  /** The versions the service listed at `GET /`, in its order (`latest` included). */
  readonly versions: readonly string[];
  /** Every entry, in crawl order (parents before children, listing order within a directory). */
  readonly entries: readonly RecordedEntry[];
}

/** True when `version` is in the set, given the recording's version order. */
export function inVersionSet(set: VersionSet, version: string, order: readonly string[]): boolean {
  if (set === undefined) return order.includes(version);
  if ('in' in set) return set.in.includes(version);
  const at = order.indexOf(version);
  if ('until' in set) return at >= 0 && at <= order.indexOf(set.until);
  const from = order.indexOf(set.since);
  return from >= 0 && at >= from;
}

/**
 * The shortest way to write a set of versions: undefined for all of them, `since` for a tail of
 * the listing order (a category added on a date stays in every later version), else the list.
 */
export function compactVersionSet(seen: ReadonlySet<string>, order: readonly string[]): VersionSet {
  const present = order.filter((version) => seen.has(version));
  if (present.length === order.length || present.length === 0) return undefined;
  const first = order.indexOf(present[0] as string);
  const last = order.indexOf(present.at(-1) as string);
  if (last === order.length - 1 && present.length === order.length - first)
    return { since: present[0] as string };
  if (first === 0 && present.length === last + 1) return { until: present.at(-1) as string };
  return { in: present };
}

/**
 * How a listing line names a child: `name/` is a directory, `0=my-key` under `public-keys/` is
 * the directory `0`, and at the version root `meta-data` and `dynamic` are directories listed bare.
 * Returns undefined for a line that could climb or jump elsewhere (`..`, `a/b`).
 */
export function childOfListing(
  parentPath: string,
  line: string,
): { segment: string; directory: boolean } | undefined {
  // Only public keys are listed as `index=name`; a tag key may hold `=` too (`tags/instance/1=2`).
  const keyed = parentPath.endsWith('public-keys/') ? /^([0-9]+)=/.exec(line) : null;
  const directory =
    line.endsWith('/') || keyed !== null || (parentPath === ROOT_PATH && BARE_DIRECTORIES.has(line));
  const segment = keyed ? (keyed[1] as string) : line.replace(/\/$/, '');
  if (segment === '' || segment === '.' || segment === '..' || segment.includes('/')) return undefined;
  return { segment, directory };
}

/** The path of a child: `meta-data/` + `ami-id`, or `meta-data/` + `placement/` for a directory. */
export function childPath(parentPath: string, child: { segment: string; directory: boolean }): string {
  const base = parentPath === ROOT_PATH ? '' : parentPath;
  return `${base}${child.segment}${child.directory ? '/' : ''}`;
}

const BARE_DIRECTORIES = new Set(['meta-data', 'dynamic']);
