import type { Directory, Leaf, MetadataNode } from '../metadata/tree.js';

/**
 * Makes the trees of a fleet's instances share what is identical: the first tree built becomes
 * the reference, and every later tree has each leaf that equals the reference's leaf at the same
 * path (same bytes, content type and version; a child named after the instance, such as
 * `macs/<mac>/`, is compared with the reference's child in the same place) replaced by that leaf, and each directory whose
 * children all ended up shared replaced by the reference's directory. Derived instances differ in
 * a few dozen leaves (ids, addresses, credentials), so most of each tree is one copy for the
 * whole fleet. Only one reference tree is kept, so the sharing itself costs no memory per instance.
 *
 * Leaves computed on first read (signatures) are left alone: comparing them would compute them.
 *
 * @example
 * ```ts
 * const share = treeSharer();
 * new Emulator({ instance, shareTree: share });
 * ```
 */
export function treeSharer(): (root: Directory) => Directory {
  let reference: Directory | undefined;
  return (root) => {
    if (!reference) {
      reference = root;
      return root;
    }
    return shareWith(root, reference);
  };
}

function shareWith(node: Directory, reference: Directory): Directory {
  const children = new Map<string, MetadataNode>();
  let identical =
    node.children.size === reference.children.size &&
    node.since === reference.since &&
    node.bareDirectoryNames === reference.bareDirectoryNames &&
    sameNames(node.listedAs, reference.listedAs);
  const referenceNames = [...reference.children.keys()];
  let index = 0;
  for (const [name, child] of node.children) {
    const referenceName = referenceNames[index++];
    if (referenceName !== name) identical = false;
    // A child named by the instance (`macs/<mac>/`) is compared with the reference's child in the same place.
    const other =
      reference.children.get(name) ??
      (referenceName === undefined || node.children.has(referenceName)
        ? undefined
        : reference.children.get(referenceName));
    let shared: MetadataNode = child;
    if (other?.kind === 'leaf' && child.kind === 'leaf') {
      if (sameLeaf(child, other)) shared = other;
    } else if (other?.kind === 'dir' && child.kind === 'dir' && !isLazyDir(child) && !isLazyDir(other)) {
      shared = shareWith(child, other);
    }
    if (shared !== other) identical = false;
    children.set(name, shared);
  }
  return identical ? reference : { ...node, children };
}

/** A directory listed on first read (`signer-ocsp/`): comparing it would make what it defers. */
function isLazyDir(directory: Directory): boolean {
  return Object.getOwnPropertyDescriptor(directory, 'children')?.get !== undefined;
}

function isComputedOnRead(leaf: Leaf): boolean {
  return Object.getOwnPropertyDescriptor(leaf, 'body')?.get !== undefined;
}

function sameLeaf(a: Leaf, b: Leaf): boolean {
  if (a.contentType !== b.contentType || a.since !== b.since) return false;
  if (isComputedOnRead(a) || isComputedOnRead(b)) return false;
  const x = a.body;
  const y = b.body;
  if (x.length !== y.length) return false;
  for (let index = 0; index < x.length; index++) if (x[index] !== y[index]) return false;
  return true;
}

function sameNames(
  a: ReadonlyMap<string, string> | undefined,
  b: ReadonlyMap<string, string> | undefined,
): boolean {
  if (a === b) return true;
  if (!a || !b || a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}
