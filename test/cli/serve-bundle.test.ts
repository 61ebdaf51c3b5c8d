/**
 * What `imds serve` loads before it answers (issue 18, start and weight): the bundle built by
 * scripts/bundle-cli.mjs (so `npm run build` first, as `npm test` does). Each check runs in a fresh
 * Node, since what a process has loaded is per process. Nothing here opens a socket.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BUNDLE = resolve('dist/cli-bundle');

/** Requires `serve.js` from `dir` in a fresh Node and reports what it found and loaded. */
function loadServe(
  dir: string,
  nodeFlags: string[] = [],
): { codeCache: string; run: string; loaded: string[] } {
  const script = `const before = new Set(process.moduleLoadList);
const serve = require(${JSON.stringify(join(dir, 'serve.js'))});
const loaded = process.moduleLoadList.filter((name) => !before.has(name));
process.stdout.write(JSON.stringify({ codeCache: serve.codeCache, run: typeof serve.run, loaded }));`;
  return JSON.parse(execFileSync(process.execPath, [...nodeFlags, '-e', script], { encoding: 'utf8' }));
}

describe('the imds serve bundle', () => {
  it('is ASCII, every CLI bundle: V8 keeps each source as a one-byte string, half the memory', () => {
    const files = readdirSync(BUNDLE).filter((name) => name.endsWith('.js'));
    expect(files).toContain('serve-code.js');
    for (const name of files) {
      const text = readFileSync(join(BUNDLE, name), 'latin1');
      expect(/[^\x00-\x7f]/.exec(text)?.index, `${name} has a byte beyond ASCII`).toBeUndefined();
    }
  });

  it('loads with the code cache made when it was built, and without node:http (the control API loads it when configured)', () => {
    const found = loadServe(BUNDLE);
    expect(found.codeCache).toBe('used');
    expect(found.run).toBe('function');
    expect(found.loaded).toContain('NativeModule net');
    expect(found.loaded).not.toContain('NativeModule http');
    expect(found.loaded).not.toContain('NativeModule _http_server');
  });

  it('compiles as usual when V8 refuses the cache (other flags) or there is none (another Node)', () => {
    const refused = loadServe(BUNDLE, ['--no-opt']);
    expect(refused).toMatchObject({ codeCache: 'rejected', run: 'function' });

    // The package's layout, less the caches: serve.js finds the loader in ../../bin.
    const root = mkdtempSync(join(tmpdir(), 'imds-serve-bundle-'));
    const copy = join(root, 'dist', 'cli-bundle');
    try {
      mkdirSync(copy, { recursive: true });
      mkdirSync(join(root, 'bin'));
      copyFileSync(resolve('bin/compile-cached.js'), join(root, 'bin', 'compile-cached.js'));
      for (const name of readdirSync(BUNDLE).filter((each) => !each.endsWith('.cache')))
        copyFileSync(join(BUNDLE, name), join(copy, name));
      expect(loadServe(copy)).toMatchObject({ codeCache: 'absent', run: 'function' });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('still answers --help through bin/imds.js with a refused cache', () => {
    const help = execFileSync(process.execPath, ['--no-opt', resolve('bin/imds.js'), 'serve', '--help'], {
      encoding: 'utf8',
    });
    expect(help).toMatch(/^Usage: imds serve \[options\]/);
  });
});

describe('scripts/serve-code-cache.cjs', () => {
  it('writes the cache of the top level, and says so, when the warm start fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imds-code-cache-'));
    try {
      // A stand-in bundle whose serve refuses to start, as a start without loopback would.
      const bundle = join(dir, 'serve-code.js');
      writeFileSync(bundle, '(function (exports) {\n  exports.serve = async () => 2;\n})');
      const out = join(dir, 'serve-code.cache');
      const ran = spawnSync(process.execPath, [resolve('scripts/serve-code-cache.cjs'), bundle, out], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(ran.status).toBe(0);
      expect(ran.stderr).toBe(
        'serve-code-cache: no warm start (serve exited 2); caching the top level only\n',
      );
      expect(statSync(out).size).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
