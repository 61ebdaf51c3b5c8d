import { createRequire } from 'node:module';

// The CLI's CommonJS bundles have no import.meta (scripts/bundle-cli.mjs defines its url as undefined).
const requireHere = createRequire(import.meta.url ?? __filename);

/**
 * A runtime dependency loaded the first time it is used, not when the module that needs it loads:
 * `imds serve` without a YAML file or identity signatures never pays for `yaml` or `node-forge`
 * (together most of what its start-up spent beyond Node's own). Works the same in the ES module
 * build and in the CLI's CommonJS bundles.
 * @example
 * ```ts
 * const yaml = loadOnFirstUse<typeof import('yaml')>('yaml');
 * yaml().parseDocument('a: 1');
 * ```
 */
export function loadOnFirstUse<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= requireHere(id) as T;
    return loaded;
  };
}
