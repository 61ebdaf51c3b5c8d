import { leaf, withLeaf, withoutNode, type Directory } from './tree.js';

/** Splits an override key (`meta-data/tags/instance/Name`, leading or trailing slashes ignored). */
export function overrideSegments(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0);
}

/**
 * Applies last-word edits to a built tree: a string sets a leaf, `null` removes a node. Keys are
 * applied in order, so removing a directory and then setting a leaf inside it recreates it.
 */
export function buildOverrides(
  root: Directory,
  overrides: Readonly<Record<string, string | null>> | undefined,
): Directory {
  if (!overrides) return root;
  let tree = root;
  for (const [path, value] of Object.entries(overrides)) {
    const segments = overrideSegments(path);
    tree = value === null ? withoutNode(tree, segments) : withLeaf(tree, segments, leaf(value));
  }
  return tree;
}
