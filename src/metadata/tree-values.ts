import { TEXT_PLAIN, type Directory } from './tree.js';

/** Longest value shown; the dashboard is for reading at a glance, `imds dump` is for everything. */
export const SHOWN_VALUE_LIMIT = 120;

/**
 * Every leaf under `/latest/` as `path -> text`, in listing order, for the dashboard's tree view.
 * Values longer than {@link SHOWN_VALUE_LIMIT} are cut; non-text leaves show their size.
 * @example
 * ```ts
 * treeValues(emulator.tree())['meta-data/instance-id']; // 'i-0123456789abcdef0'
 * ```
 */
export function treeValues(root: Directory): Record<string, string> {
  const values: Record<string, string> = {};
  const decoder = new TextDecoder();
  const visit = (directory: Directory, prefix: string) => {
    for (const [name, node] of directory.children) {
      const path = `${prefix}${name}`;
      if (node.kind === 'dir') {
        visit(node, `${path}/`);
        continue;
      }
      if (node.contentType !== TEXT_PLAIN && !node.contentType.startsWith('text/')) {
        values[path] = `<${node.body.length} bytes, ${node.contentType}>`;
        continue;
      }
      const text = decoder.decode(node.body);
      values[path] = text.length > SHOWN_VALUE_LIMIT ? `${text.slice(0, SHOWN_VALUE_LIMIT)}…` : text;
    }
  };
  visit(root, '');
  return values;
}
