/**
 * `npm run check:package`: packs the package as it would be published (after `npm run build`) and
 * checks the tarball with publint (exports map, files, types first) and Are the Types Wrong (the
 * types resolve for every entry point as Node's ESM loader and bundlers resolve them). The package
 * is ESM only, so CommonJS `require` resolution is not checked (`--profile esm-only`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const directory = mkdtempSync(join(tmpdir(), 'ec2-imds-pack-'));
const run = (command, args) => execFileSync(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  // --ignore-scripts: dist/ is built by the caller; packing must not rebuild it.
  const packed = JSON.parse(
    run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', directory]).toString(),
  );
  const tarball = join(directory, packed[0].filename);
  process.stdout.write(
    `check:package: ${packed[0].filename}, ${packed[0].entryCount} files, ${packed[0].size} bytes\n`,
  );
  execFileSync('npx', ['--no-install', 'publint', 'run', tarball, '--strict'], { stdio: 'inherit' });
  execFileSync(
    'npx',
    ['--no-install', 'attw', tarball, '--profile', 'esm-only', '--format', 'table-flipped'],
    {
      stdio: 'inherit',
    },
  );
} catch (error) {
  process.stderr.write(
    `check:package failed: ${error instanceof Error ? error.message.split('\n')[0] : error}\n`,
  );
  process.exitCode = 1;
} finally {
  rmSync(directory, { recursive: true, force: true });
}
