import { dir, leaf, type Directory } from './tree.js';

/** Splits an override key (`meta-data/tags/instance/Name`, leading or trailing slashes ignored). */
export function overrideSegments(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0);
}

/**
 * Applies last-word edits to a built tree: a string sets a leaf, `null` removes a node. Keys are
 * applied in order, so removing a directory and then setting a leaf inside it recreates it. The
 * given tree is never changed: each directory on an edited path is copied once per call and then
 * edited in place, so N edits cost O(N + the directories they touch), not O(N x directory size)
 * (10,000 tags in one directory would otherwise copy that directory 10,000 times).
 */
export function buildOverrides(
  root: Directory,
  overrides: Readonly<Record<string, string | null>> | undefined,
): Directory {
  if (!overrides) return root;
  const entries = Object.entries(overrides);
  if (entries.length === 0) return root;
  const copies = new WeakSet<Directory>();
  const own = (directory: Directory): Directory => {
    if (copies.has(directory)) return directory;
    const copy: Directory = { ...directory, children: new Map(directory.children) };
    copies.add(copy);
    return copy;
  };
  const tree = own(root);
  for (const [path, value] of entries) {
    const segments = overrideSegments(path);
    const last = segments.pop();
    if (last === undefined) continue;
    let parent: Directory | undefined = tree;
    for (const segment of segments) {
      const existing = parent.children.get(segment);
      if (existing?.kind === 'dir') {
        const next = own(existing);
        parent.children.set(segment, next);
        parent = next;
      } else if (value === null) {
        // Removing below a leaf or a missing node changes nothing.
        parent = undefined;
        break;
      } else {
        // Setting below a leaf or a missing node creates the directories on the way.
        const created = own(dir([]));
        parent.children.set(segment, created);
        parent = created;
      }
    }
    if (!parent) continue;
    if (value === null) parent.children.delete(last);
    else parent.children.set(last, leaf(value));
  }
  return tree;
}
