import type { Document, Node } from 'yaml';
import { loadOnFirstUse } from '../load-on-first-use.js';
import type { SourcePosition } from './config-error.js';
import type { ConfigProblem, KeyPath } from './problem.js';

const yaml = loadOnFirstUse<typeof import('yaml')>('yaml');

/** A parsed YAML or JSON text that can say where each key path is written. */
export interface YamlSource {
  /** The plain data, or undefined when the text has syntax errors. */
  readonly data: unknown;
  /** Syntax errors, each with its position. */
  readonly syntaxProblems: readonly (ConfigProblem & { position: SourcePosition })[];
  /** Where a key path is written: the key itself, an item, or the nearest enclosing node present. */
  positionOf(path: KeyPath): SourcePosition | undefined;
}

/**
 * Parses YAML (JSON is YAML too) keeping positions. Duplicate keys are errors, as they are almost
 * always a mistake, and aliases are bounded so a small file cannot expand into a huge one.
 */
export function parseYamlSource(text: string): YamlSource {
  const { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const document: Document = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
  });
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const syntaxProblems = [...document.errors].map((error) => ({
    path: [] as KeyPath,
    position: at(error.pos[0]),
    message: `not valid YAML or JSON: ${error.message.split('\n')[0]}`,
  }));
  let data: unknown;
  if (syntaxProblems.length === 0) {
    try {
      data = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      syntaxProblems.push({
        path: [],
        position: at(0),
        message: `not valid YAML or JSON: ${(error as Error).message}`,
      });
    }
  }
  return {
    data,
    syntaxProblems,
    positionOf(path) {
      let node: unknown = document.contents;
      let offset: number | undefined = rangeStart(node);
      for (const segment of path) {
        if (isMap(node)) {
          const pair = node.items.find(
            (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
          );
          if (!pair) break;
          offset = rangeStart(pair.key) ?? offset;
          node = pair.value;
        } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
          node = node.items[segment];
          offset = rangeStart(node) ?? offset;
        } else {
          break;
        }
      }
      return offset === undefined ? undefined : at(offset);
    },
  };
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | undefined)?.range?.[0];
}
