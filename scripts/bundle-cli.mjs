/**
 * Bundles the CLI after `tsc` into `dist/cli-bundle/`: a small CommonJS `main.js` that dispatches,
 * and one self-contained CommonJS file per command, so `imds get` compiles one small file for the
 * command and never starts Node's ES module loader. Measured on `imds get`, the loader and the
 * dozens of separate modules were most of what it spent beyond Node's own start-up (see
 * docs/decisions/0004-cli-bundle.md). zod is bundled into the commands that use it (`serve`): one
 * file compiles faster than its hundred modules resolved one by one. yaml and node-forge stay
 * external and are required on first use only (src/load-on-first-use.ts).
 */
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'cli-bundle');
// The command list lives in src/cli/commands.ts alone: every `import('./<name>.js')` there is a command.
const COMMANDS = [
  ...readFileSync(join(root, 'src', 'cli', 'commands.ts'), 'utf8').matchAll(
    /\bimport\('\.\/([a-z-]+)\.js'\)/g,
  ),
].map((match) => match[1]);
if (COMMANDS.length === 0) throw new Error('bundle-cli: no commands found in src/cli/commands.ts');

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
  // main.js keeps `import('./get.js')` (from commands.ts) as a load of the sibling bundle, only when chosen.
  build({
    ...common,
    entryPoints: [join(root, 'src', 'cli', 'main.ts')],
    outfile: join(outdir, 'main.js'),
    external: COMMANDS.map((name) => `./${name}.js`),
  }),
  ...COMMANDS.map((name) =>
    build({
      ...common,
      entryPoints: [join(root, 'src', 'cli', `${name}.ts`)],
      outfile: join(outdir, `${name}.js`),
    }),
  ),
]);

// esbuild keeps `import()` of an external even in CommonJS, and `import()` starts the ES module
// loader: turn each command's load into a plain require of its bundle.
const mainFile = join(outdir, 'main.js');
let replaced = 0;
const main = readFileSync(mainFile, 'utf8').replace(/\bimport\("\.\/([a-z-]+)\.js"\)/g, (whole, name) => {
  if (!COMMANDS.includes(name)) return whole;
  replaced += 1;
  return `Promise.resolve().then(() => require("./${name}.js"))`;
});
if (replaced !== COMMANDS.length)
  throw new Error(`bundle-cli: expected ${COMMANDS.length} command imports in main.js, found ${replaced}`);
writeFileSync(mainFile, main);

// V8 keeps a script's source for its life, and one character beyond ASCII makes the whole file a
// two-byte string: twice the memory (half a MiB for serve.js) and a slower read. esbuild escapes
// such characters in strings and regular expressions, so any left are in comments (an em dash in a
// zod comment was): replace them there; anywhere else the build stops.
for (const name of ['main', ...COMMANDS]) {
  const file = join(outdir, `${name}.js`);
  const text = readFileSync(file, 'utf8');
  let outsideComment = 0;
  const ascii = text.replace(/[^\x00-\x7f]/g, (char, offset) => {
    const lineStart = text.lastIndexOf('\n', offset) + 1;
    const before = text.slice(lineStart, offset);
    if (!/\/\/|\/\*|^\s*\*/.test(before)) outsideComment += 1;
    return '?';
  });
  if (outsideComment > 0)
    throw new Error(`bundle-cli: ${name}.js has ${outsideComment} non-ASCII characters outside comments`);
  if (ascii !== text) writeFileSync(file, ascii);
}

