/**
 * Builds the client-only package, `ec2-imds-client`, into `dist/client-package/` from this
 * repository's build: the dependency-free client (`dist/client/`, `dist/wire.js`) and the client
 * commands of the CLI (`imds get|ls|dump|token|watch`), with no runtime dependency, for users who
 * read metadata and never run the emulator (see docs/decisions/0010-packaging.md).
 * Run after `npm run build`; `node scripts/pack-client.mjs --pack` also writes the tarball there.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const out = join(dist, 'client-package');
const full = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

if (!existsSync(join(dist, 'client', 'index.js'))) throw new Error('pack-client: run npm run build first');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'dist', 'client'), { recursive: true });
mkdirSync(join(out, 'dist', 'cli-bundle'), { recursive: true });

const isShipped = (name) => name.endsWith('.js') || name.endsWith('.d.ts');
for (const name of readdirSync(join(dist, 'client')).filter(isShipped))
  cpSync(join(dist, 'client', name), join(out, 'dist', 'client', name));
for (const name of ['wire.js', 'wire.d.ts']) cpSync(join(dist, name), join(out, 'dist', name));

// The CLI bundle: main.js holds the dispatcher and the client commands (src/cli/commands.ts, part
// 'client'); the full package's commands are sibling files this package leaves out. It must need
// nothing but Node and those siblings.
// main.v8-<version>-<arch>.cache is its V8 code cache (see scripts/bundle-cli.mjs).
const bundle = join(dist, 'cli-bundle', 'main.js');
const required = [...readFileSync(bundle, 'utf8').matchAll(/require\(([^)]+)\)/g)].map((match) => match[1]);
const outside = required.filter((id) => !id.startsWith('"node:') && !id.startsWith('__dirname+"/'));
if (outside.length > 0) throw new Error(`pack-client: main.js requires ${outside.join(', ')}`);
const mainFiles = readdirSync(join(dist, 'cli-bundle')).filter((name) =>
  /^main\.(js|v8-.+\.cache)$/.test(name),
);
for (const name of mainFiles) cpSync(join(dist, 'cli-bundle', name), join(out, 'dist', 'cli-bundle', name));
cpSync(join(dist, 'cli-bundle', 'package.json'), join(out, 'dist', 'cli-bundle', 'package.json'));
cpSync(join(root, 'bin'), join(out, 'bin'), { recursive: true });
cpSync(join(root, 'LICENSE'), join(out, 'LICENSE'));
cpSync(join(root, 'docs', 'client.md'), join(out, 'README.md'));

const manifest = {
  name: `${full.name}-client`,
  version: full.version,
  description: 'A fast, dependency-free AWS EC2 Instance Metadata Service (IMDSv1/v2) client and CLI',
  keywords: full.keywords,
  license: full.license,
  author: full.author,
  repository: full.repository,
  homepage: full.homepage,
  bugs: full.bugs,
  type: 'module',
  engines: full.engines,
  bin: full.bin,
  exports: {
    '.': { types: './dist/client/index.d.ts', default: './dist/client/index.js' },
    './package.json': './package.json',
  },
  files: ['bin', 'dist', 'README.md', 'LICENSE'],
  sideEffects: false,
};
writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

if (process.argv.includes('--pack')) {
  const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', out], {
    cwd: out,
    encoding: 'utf8',
  });
  const [info] = JSON.parse(packed);
  console.log(
    `${join(out, info.filename)}: ${info.entryCount} files, ${info.size} bytes packed, ${info.unpackedSize} unpacked`,
  );
}
