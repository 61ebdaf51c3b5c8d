/**
 * The packed tarballs, installed as a user would into an empty folder: `ec2-imds` (emulator,
 * fixture, client, CLI) and `ec2-imds-client` (the client alone, no dependencies). Each runs its
 * CLI and its library from ES module and CommonJS files. Everything talks to an emulator on
 * loopback; the registry is reached only by npm, for the full package's three dependencies
 * (the npm cache from `npm ci` normally has them).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'imds-tarball-'));
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });
const run = (cwd: string, file: string, args: string[]) =>
  execFileSync(process.execPath, [file, ...args], { cwd, encoding: 'utf8', timeout: 30_000 });

/** Packs the root package (dist/ is built by `npm test` first) and returns the tarball's path and counts. */
function packRoot(): { tarball: string; files: string[]; size: number } {
  const [info] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT));
  return {
    tarball: join(work, info.filename),
    files: info.files.map((f: { path: string }) => f.path),
    size: info.size,
  };
}

/** Installs a tarball into a new empty folder; returns the folder. */
function installInto(name: string, tarball: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    '{ "name": "user-project", "version": "1.0.0", "private": true }\n',
  );
  npm(['install', '--prefer-offline', tarball], dir);
  return dir;
}

/** `imds serve` from the installed package, until stopped; resolves with its URL. */
function serveFrom(dir: string, args: string[]): Promise<{ url: string; stop(): Promise<string> }> {
  const child = spawn(process.execPath, [join(dir, 'node_modules/.bin/imds'), 'serve', ...args], {
    cwd: dir,
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise<void>((done) => child.on('exit', () => done()));
  return new Promise((resolveStart, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url)
        resolveStart({
          url,
          stop: async () => {
            child.kill('SIGINT');
            await exited;
            return err;
          },
        });
    });
    child.on('exit', (code) => reject(new Error(`imds serve exited ${code}: ${err}`)));
  });
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the ec2-imds tarball', () => {
  let packed: ReturnType<typeof packRoot>;
  let dir: string;
  beforeAll(() => {
    packed = packRoot();
    dir = installInto('full', packed.tarball);
  }, 180_000);

  it('holds LICENSE, examples and docs; no source maps, no dist/cli/, no tests or sources', () => {
    expect(packed.files).toContain('LICENSE');
    expect(packed.files).toContain('examples/spot-interruption.yaml');
    expect(packed.files).toContain('docs/testing.md');
    expect(packed.files.filter((file) => file.endsWith('.map'))).toEqual([]);
    expect(packed.files.filter((file) => file.startsWith('dist/cli/'))).toEqual([]);
    // The client-only package is built under dist/ too, and ships on its own.
    expect(packed.files.filter((file) => file.startsWith('dist/client-package/'))).toEqual([]);
    expect(packed.files.filter((file) => /^(src|test|bench|scripts)\//.test(file))).toEqual([]);
  });

  it('imds --version, serve with a shipped example, get from the emulator', async () => {
    const bin = join(dir, 'node_modules/.bin/imds');
    expect(run(dir, bin, ['--version']).trim()).toBe(
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
    );
    const server = await serveFrom(dir, [
      '--port',
      '0',
      '--config',
      'node_modules/ec2-imds/examples/spot-interruption.yaml',
    ]);
    try {
      expect(run(dir, bin, ['get', 'instance-id', '--endpoint', server.url]).trim()).toMatch(
        /^i-[0-9a-f]{17}$/,
      );
    } finally {
      const log = await server.stop();
      expect(log).toContain('GET /latest/meta-data/instance-id 200 v2 127.0.0.1');
    }
  });

  it('the fixture and the client from an ES module file', () => {
    writeFileSync(
      join(dir, 'esm.mjs'),
      `import { startImds } from 'ec2-imds/testing';
import { ImdsClient } from 'ec2-imds/client';
const imds = await startImds({ instance: { instanceType: 'm7g.large' } });
const client = new ImdsClient({ endpoint: imds.url });
console.log(await client.get('instance-type'));
await imds.close();
`,
    );
    expect(run(dir, 'esm.mjs', [])).toBe('m7g.large\n');
  });

  it('the fixture and the client from a CommonJS file (require of ES modules, Node >= 20.19)', () => {
    writeFileSync(
      join(dir, 'cjs.cjs'),
      `const { startImds } = require('ec2-imds/testing');
const { ImdsClient } = require('ec2-imds/client');
(async () => {
  const imds = await startImds({ instance: { instanceType: 'c7i.large' } });
  console.log(await new ImdsClient({ endpoint: imds.url }).get('instance-type'));
  await imds.close();
})();
`,
    );
    expect(run(dir, 'cjs.cjs', [])).toBe('c7i.large\n');
  });
});

describe('the ec2-imds-client tarball', () => {
  let dir: string;
  beforeAll(() => {
    const built = execFileSync(process.execPath, [join(ROOT, 'scripts/pack-client.mjs'), '--pack'], {
      encoding: 'utf8',
    });
    const tarball = /^(\S+\.tgz):/m.exec(built)?.[1] as string;
    dir = installInto('client-only', tarball);
  }, 180_000);

  it('installs nothing but itself', () => {
    expect(readdirSync(join(dir, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual([
      'ec2-imds-client',
    ]);
  });

  it('its client and imds get read a running emulator; imds serve says where it lives', async () => {
    const full = join(work, 'full');
    const server = await serveFrom(full, ['--port', '0', '--log', 'quiet']);
    try {
      const bin = join(dir, 'node_modules/.bin/imds');
      expect(run(dir, bin, ['get', 'placement/region', '--endpoint', server.url])).toBe('ap-northeast-1\n');
      writeFileSync(
        join(dir, 'read.mjs'),
        `import { ImdsClient } from 'ec2-imds-client';
console.log(await new ImdsClient({ endpoint: process.argv[2] }).get('instance-type'));
`,
      );
      expect(run(dir, 'read.mjs', [server.url])).toBe('t3.micro\n');
      let refused: { status: number; stderr: string } | undefined;
      try {
        run(dir, bin, ['serve']);
      } catch (error) {
        refused = error as { status: number; stderr: string };
      }
      expect(refused?.status).toBe(2);
      expect(refused?.stderr).toContain("'serve' is not installed with this package");
    } finally {
      await server.stop();
    }
  });
});
