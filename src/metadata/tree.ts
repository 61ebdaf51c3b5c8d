/**
 * The metadata tree: directories and leaves. A listing is always derived from a directory's
 * children, never from string matching on paths.
 */

/** The first metadata version a node exists in; dated versions before it do not show it. */
export type Since = string;

export interface Leaf {
  readonly kind: 'leaf';
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly since: Since;
  /**
   * Named in its directory's listing but answered with 404 when read: a replayed instance listed
   * the path and did not serve it, and a replay must show both.
   */
  readonly absent?: true;
}

export interface Directory {
  readonly kind: 'dir';
  /** Children in listing order. */
  readonly children: Map<string, MetadataNode>;
  readonly since: Since;
  /**
   * How a child is named in this directory's listing when it differs from its path segment
   * (`public-keys/` lists `0=my-key` for the child `0`).
   */
  readonly listedAs?: Map<string, string>;
  /** The top-level listings name their directories without the trailing slash. */
  readonly bareDirectoryNames?: boolean;
}

export type MetadataNode = Leaf | Directory;

const EARLIEST: Since = '1.0';
const utf8 = new TextEncoder();

export const TEXT_PLAIN = 'text/plain';
export const OCTET_STREAM = 'application/octet-stream';

/** A leaf holding text (UTF-8) or raw bytes. */
export function leaf(value: string | Uint8Array, since: Since = EARLIEST, contentType = TEXT_PLAIN): Leaf {
  return { kind: 'leaf', body: typeof value === 'string' ? utf8.encode(value) : value, contentType, since };
}

/** A path its directory lists that answers 404 (see {@link Leaf.absent}). */
export function absentLeaf(since: Since = EARLIEST): Leaf {
  return { kind: 'leaf', body: new Uint8Array(0), contentType: TEXT_PLAIN, since, absent: true };
}

/** A leaf whose bytes are computed on first read and kept (signatures cost a key generation). */
export function lazyLeaf(compute: () => string, since: Since = EARLIEST, contentType = TEXT_PLAIN): Leaf {
  let body: Uint8Array | undefined;
  return {
    kind: 'leaf',
    get body() {
      body ??= utf8.encode(compute());
      return body;
    },
    contentType,
    since,
  };
}

/** A directory whose children are given in listing order; `undefined` children are left out. */
export function dir(
  entries: Iterable<readonly [string, MetadataNode | undefined]>,
  since: Since = EARLIEST,
  options: { listedAs?: Map<string, string>; bareDirectoryNames?: boolean } = {},
): Directory {
  const children = new Map<string, MetadataNode>();
  for (const [name, node] of entries) if (node) children.set(name, node);
  return { kind: 'dir', children, since, ...options };
}

/**
 * A directory whose children are computed on first use and kept: `managed-ssh-keys/signer-ocsp/`
 * names certificates by fingerprint, and making them costs key generations a read may never need.
 */
export function lazyDir(
  compute: () => Iterable<readonly [string, MetadataNode | undefined]>,
  since: Since = EARLIEST,
): Directory {
  let children: Map<string, MetadataNode> | undefined;
  return {
    kind: 'dir',
    get children() {
      children ??= dir(compute(), since).children;
      return children;
    },
    since,
  };
}

/** Like {@link dir}, with children sorted by name, as the real `meta-data/` listing is. */
export function sortedDir(
  entries: Iterable<readonly [string, MetadataNode | undefined]>,
  since: Since = EARLIEST,
): Directory {
  return dir(
    [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    since,
  );
}

/** True when a node exists in the given version (`latest` sees everything). */
export function existsIn(node: MetadataNode, version: string): boolean {
  return version === 'latest' || node.since <= version;
}

/** Follows path segments from a directory; undefined when any step is missing or too new. */
export function lookup(
  root: MetadataNode,
  segments: readonly string[],
  version: string,
): MetadataNode | undefined {
  let node: MetadataNode | undefined = root;
  for (const segment of segments) {
    if (node.kind !== 'dir') return undefined;
    node = node.children.get(segment);
    if (!node || !existsIn(node, version)) return undefined;
  }
  return node;
}

/** The body of a directory's listing: one child per line, LF-separated, no trailing LF. */
export function listing(directory: Directory, version: string): string {
  const lines: string[] = [];
  for (const [name, child] of directory.children) {
    if (!existsIn(child, version)) continue;
    // A renamed entry (`0=my-key`) is printed as given: EC2 lists public keys without a slash.
    const renamed = directory.listedAs?.get(name);
    if (renamed !== undefined) lines.push(renamed);
    else lines.push(child.kind === 'dir' && !directory.bareDirectoryNames ? `${name}/` : name);
  }
  return lines.join('\n');
}

/** Returns a copy of the tree with a leaf set at `segments` (directories created as needed). */
export function withLeaf(root: Directory, segments: readonly string[], value: Leaf): Directory {
  const [head, ...rest] = segments;
  if (head === undefined) return root;
  const children = new Map(root.children);
  if (rest.length === 0) {
    children.set(head, value);
  } else {
    const existing = children.get(head);
    const next = existing?.kind === 'dir' ? existing : dir([], value.since);
    children.set(head, withLeaf(next, rest, value));
  }
  return { ...root, children };
}

/** Returns a copy of the tree without the node at `segments` (unchanged when it is absent). */
export function withoutNode(root: Directory, segments: readonly string[]): Directory {
  const [head, ...rest] = segments;
  if (head === undefined) return root;
  const existing = root.children.get(head);
  if (!existing) return root;
  const children = new Map(root.children);
  if (rest.length === 0) children.delete(head);
  else if (existing.kind === 'dir') children.set(head, withoutNode(existing, rest));
  else return root;
  return { ...root, children };
}
