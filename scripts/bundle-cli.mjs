/**
 * Bundles the CLI after `tsc` into `dist/cli-bundle/`, as CommonJS, so a run never starts Node's
 * ES module loader (docs/decisions/0004-cli-bundle.md):
 * - `main.js`: the dispatcher and every `client` command of `src/cli/commands.ts` in one minified
 *   file, with the package's version written in, compiled by `bin/imds.js` with a V8 code cache
 *   (docs/decisions/0021-cli-start.md). `imds get` loads this one file: no second module to
 *   resolve, no `package.json` to read. A command's code runs only when it is chosen (esbuild wraps
 *   each bundled module in a lazy initializer).
 * - `<command>.js` for each `full` command (the emulator's), required by `main.js` only when
 *   chosen. zod is bundled into the commands that use it (`serve`): one file compiles faster than
 *   its hundred modules resolved one by one. yaml and node-forge stay external and are required on
 *   first use only (src/load-on-first-use.ts).
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli-bundle');
// The command table lives in src/cli/commands.ts alone; tsc has just compiled it.
const { COMMANDS } = await import(pathToFileURL(join(root, 'dist', 'cli', 'commands.js')).href);
const namesOf = (part) =>
  Object.entries(COMMANDS)
    .filter(([, entry]) => entry.part === part)
    .map(([name]) => name);
const CLIENT = namesOf('client');
const FULL = namesOf('full');
if (CLIENT.length === 0 || CLIENT.length + FULL.length !== Object.keys(COMMANDS).length)
  throw new Error('bundle-cli: every command in src/cli/commands.ts must be part client or full');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// Commands whose bundle is loaded with a V8 code cache made here (see the end of this file).
const CODE_CACHED = new Set(['serve']);
const bundleOf = (name) => (CODE_CACHED.has(name) ? `${name}-code` : name);

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
// The package is "type": "module"; these files are CommonJS.
writeFileSync(join(outdir, 'package.json'), '{ "type": "commonjs" }\n');

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['yaml', 'node-forge'],
  logLevel: 'warning',
  // CommonJS has no import.meta: src/load-on-first-use.ts falls back to __filename.
  define: { 'import.meta.url': 'undefined' },
};
await Promise.all([
  // main.js keeps `import('./serve.js')` (from commands.ts) as a load of the sibling bundle, only when chosen.
  build({
    ...common,
    entryPoints: [join(root, 'src', 'cli', 'main.ts')],
    outfile: join(outdir, 'main.js'),
    external: [...common.external, ...FULL.map((name) => `./${name}.js`)],
    define: { ...common.define, IMDS_BUILD_VERSION: JSON.stringify(version) },
    // Identifiers too: the file is compiled on every run, and errors reach users as messages, never stacks.
    minify: true,
  }),
  ...FULL.map((name) =>
    build({
      ...common,
      entryPoints: [join(root, 'src', 'cli', `${name}.ts`)],
      outfile: join(outdir, `${bundleOf(name)}.js`),
    }),
  ),
]);

// esbuild keeps `import()` of an external even in CommonJS. In main.js every one becomes a plain
// require: `import()` would start the ES module loader, and code compiled with node:vm (below) has
// no loader for it at all. A full command's bundle is required by its absolute path, since main.js
// runs with bin/imds.js's `require`.
const mainFile = join(outdir, 'main.js');
let replaced = 0;
const main = readFileSync(mainFile, 'utf8').replace(
  /\bimport\("(node:[a-z/]+|\.\/([a-z-]+)\.js)"\)/g,
  (whole, id, name) => {
    if (name !== undefined && !FULL.includes(name)) return whole;
    if (name !== undefined) replaced += 1;
    const target = name === undefined ? JSON.stringify(id) : `__dirname+${JSON.stringify(`/${name}.js`)}`;
    return `Promise.resolve().then(()=>require(${target}))`;
  },
);
if (replaced !== FULL.length)
  throw new Error(`bundle-cli: expected ${FULL.length} command imports in main.js, found ${replaced}`);
if (/\bimport\(/.test(main)) throw new Error('bundle-cli: main.js still has an import()');
// One function expression of CommonJS's five parameters, which bin/imds.js compiles with node:vm.
writeFileSync(mainFile, `(function (exports, require, module, __filename, __dirname) {${main}\n})`);

// V8 keeps a script's source for its life, and one character beyond ASCII makes the whole file a
// two-byte string: twice the memory (half a MiB for serve.js) and a slower read. esbuild escapes
// such characters in strings and regular expressions, so any left are in comments (an em dash in a
// zod comment was): replace them there; anywhere else the build stops.
for (const name of ['main', ...FULL.map(bundleOf)]) {
  const file = join(outdir, `${name}.js`);
  const text = readFileSync(file, 'utf8');
  let outsideComment = 0;
  const ascii = text.replace(/[^\x00-\x7f]/g, (_char, offset) => {
    const lineStart = text.lastIndexOf('\n', offset) + 1;
    const before = text.slice(lineStart, offset);
    if (!/\/\/|\/\*|^\s*\*/.test(before)) outsideComment += 1;
    return '?';
  });
  if (outsideComment > 0)
    throw new Error(`bundle-cli: ${name}.js has ${outsideComment} non-ASCII characters outside comments`);
  if (ascii !== text) writeFileSync(file, ascii);
}

// `imds serve`'s bundle is half a MiB, and compiling it was a quarter of what its start costs beyond
// Node's own (issue 18, docs/decisions/0020-serve-code-cache.md). V8 can save what it compiled
// and take it back, checking its own version, flags and the source's length. The cache is made
// here (scripts/serve-code-cache.cjs: after a start and a first answer on loopback), by the Node
// that built the package, named by its V8 version and architecture; another Node finds no file of
// its name and compiles as usual, and a cache V8 refuses is ignored.
const CACHE_NAME = `v8-${process.versions.v8}-${process.arch}.cache`;
const loader = (name) => `'use strict';
// Generated by scripts/bundle-cli.mjs: runs ${name}-code.js, one function expression of CommonJS's
// five parameters, compiled with the V8 code cache made when it was built, when this Node can use
// it (bin/compile-cached.js, docs/decisions/0020-serve-code-cache.md).
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { compileCached } = require('../../bin/compile-cached.js');
const file = join(__dirname, '${name}-code.js');
const { wrapper, codeCache } = compileCached(file, join(__dirname, '${name}-code'));
const loaded = { exports: {} };
wrapper(loaded.exports, createRequire(file), loaded, file, __dirname);
module.exports = loaded.exports;
/** For tests: whether V8 took the cache. */
module.exports.codeCache = codeCache;
`;
// V8 flags are part of the cache's check: make it with a plain `node`, as `imds` runs, not with
// this process's NODE_OPTIONS (a --max-old-space-size would make a cache no plain run accepts).
const { NODE_OPTIONS: _ignored, ...plainEnv } = process.env;

// main.js's cache (docs/decisions/0021-cli-start.md), named the same way, is compiled eagerly
// (every function, not only the top level) rather than after a run: it then holds the code of
// every client command, and making it needs no server.
const MAKE_EAGER_CACHE = `
const { readFileSync, writeFileSync } = require('node:fs');
const { setFlagsFromString } = require('node:v8');
const { Script } = require('node:vm');
const [file, cache] = process.argv.slice(1);
setFlagsFromString('--no-lazy');
const script = new Script(readFileSync(file, 'latin1'), { filename: file });
setFlagsFromString('--lazy');
writeFileSync(cache, script.createCachedData());
`;
execFileSync(process.execPath, ['-e', MAKE_EAGER_CACHE, mainFile, join(outdir, `main.${CACHE_NAME}`)], {
  env: plainEnv,
  stdio: 'inherit',
  timeout: 60_000,
});

for (const name of CODE_CACHED) {
  // The bundle as the function Node's CommonJS loader would wrap it in, so that the script V8 keeps
  // is the file itself, not a second, concatenated copy of half a MiB.
  const code = join(outdir, `${name}-code.js`);
  writeFileSync(
    code,
    `(function (exports, require, module, __filename, __dirname) {${readFileSync(code, 'latin1')}\n})`,
  );
  writeFileSync(join(outdir, `${name}.js`), loader(name));
  execFileSync(
    process.execPath,
    [
      join(root, 'scripts', `${name}-code-cache.cjs`),
      join(outdir, `${name}-code.js`),
      join(outdir, `${name}-code.${CACHE_NAME}`),
    ],
    { env: plainEnv, stdio: 'inherit', timeout: 60_000 },
  );
}
