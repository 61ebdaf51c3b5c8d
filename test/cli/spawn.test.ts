/**
 * The real `imds` binary in a child process (bin/imds.js loads dist/, so dist/ is brought up to
 * date first when the sources are newer), and the import graph behind `imds get`.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveImdsConfig } from '../../src/client/config.js';
import type { RunningEmulator } from '../../src/start/start.js';
import { assertLoopbackUrl, useNetworkGuard } from '../client/helpers/network-guard.js';
import { closedPort, emulatorOn } from '../client/helpers/peers.js';

useNetworkGuard();

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(ROOT, 'bin/imds.js');

function newestSource(): number {
  const dirs = ['src/client', 'src/cli'].map((dir) => join(ROOT, dir));
  return Math.max(
    ...dirs.flatMap((dir) => readdirSync(dir).map((name) => statSync(join(dir, name)).mtimeMs)),
    statSync(join(ROOT, 'src/wire.ts')).mtimeMs,
  );
}

function ensureBuilt(): void {
  const built = join(ROOT, 'dist/cli-bundle/main.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource()) return;
  try {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')],
      { cwd: ROOT, stdio: 'ignore' },
    );
  } catch {
    // Type errors elsewhere in the tree still emit; the checks below need only the client's files.
  }
  execFileSync(process.execPath, [join(ROOT, 'scripts/bundle-cli.mjs')], { cwd: ROOT, stdio: 'ignore' });
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs bin/imds.js with exactly `env` (plus PATH), after checking it points at loopback. */
function imds(args: string[], env: Record<string, string>): Promise<Ran> {
  assertLoopbackUrl(resolveImdsConfig({}, env).endpoint);
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 15_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

let emulator: RunningEmulator;
beforeAll(async () => {
  ensureBuilt();
  emulator = await emulatorOn();
}, 60_000);
afterAll(() => emulator.close());

describe('bin/imds.js', () => {
  it('imds get instance-id prints the id and exits 0', async () => {
    const ran = await imds(['get', 'instance-id'], { AWS_EC2_METADATA_SERVICE_ENDPOINT: emulator.url });
    expect(ran).toEqual({ code: 0, stdout: 'i-0410f3c9b2d5e8a71\n', stderr: '' });
  });

  it('exit codes: 1 not found, 2 usage, 3 unreachable', async () => {
    const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: emulator.url };
    expect((await imds(['get', 'no-such-thing'], env)).code).toBe(1);
    expect((await imds(['get'], env)).code).toBe(2);
    const unreachable = await imds(['get', 'instance-id', '--attempts', '1'], {
      AWS_EC2_METADATA_SERVICE_ENDPOINT: await closedPort(),
    });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain('ECONNREFUSED');
  });
});

describe('the package export', () => {
  it("'ec2-imds/client' resolves to the built client and reads the emulator", async () => {
    // A variable specifier: type-checking must not depend on dist/ having been built.
    const specifier = 'ec2-imds/client';
    const exported = (await import(specifier)) as typeof import('../../src/client/index.js');
    expect(Object.keys(exported)).toEqual(
      expect.arrayContaining([
        'ImdsClient',
        'ImdsError',
        'ImdsNotFoundError',
        'resolveImdsConfig',
        'httpTransport',
      ]),
    );
    const client = new exported.ImdsClient({ env: {}, endpoint: emulator.url });
    assertLoopbackUrl(client.config.endpoint);
    expect(await client.instanceId()).toBe('i-0410f3c9b2d5e8a71');
  });
});

describe('imds watch as a process', () => {
  it('stops cleanly on SIGINT (exit 0), mid-wait', async () => {
    const env = { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_SERVICE_ENDPOINT: emulator.url };
    assertLoopbackUrl(resolveImdsConfig({}, env).endpoint);
    const gets = () => emulator.emulator.requests.entries().filter((entry) => entry.method === 'GET').length;
    const before = gets();
    const child = spawn(process.execPath, [BIN, 'watch', '--interval', '10s'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    // Wait for the first poll to reach the emulator, then interrupt the 10 s wait.
    const deadline = Date.now() + 10_000;
    while (gets() < before + 4 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const interruptedAt = performance.now();
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    // Well below the 10 s interval it interrupted: a hang guard, not a speed check.
    expect(performance.now() - interruptedAt).toBeLessThan(8_000);
    expect(stderr).toBe('');
  });
});

describe('what imds get loads', () => {
  /** Every module reachable from `entry` through static imports (dynamic `import()` is lazy, so not followed). */
  function staticGraph(entry: string): string[] {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(
        /^\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'/gm,
      )) {
        const specifier = (match[1] ?? match[2]) as string;
        visit(resolve(dirname(file), specifier));
      }
    };
    visit(entry);
    return [...seen].map((file) => file.slice(join(ROOT, 'dist').length + 1)).sort();
  }

  // duration.js is the one duration grammar (files, flags, control API, fixture); it imports nothing.
  it('main.js and get.js reach only the CLI helpers, the client, wire.js, duration.js and the did-you-mean helper: no emulator code', () => {
    const graph = [
      ...new Set([
        ...staticGraph(join(ROOT, 'dist/cli/main.js')),
        ...staticGraph(join(ROOT, 'dist/cli/get.js')),
      ]),
    ];
    expect(graph).toContain('client/client.js');
    expect(
      graph.filter(
        (file) =>
          !/^(cli\/(main|commands|io|version|get|parse-flags|fallback-warning|client-[a-z-]+)\.js|client\/[a-z-]+\.js|wire\.js|duration\.js|config\/suggest\.js)$/.test(
            file,
          ),
      ),
    ).toEqual([]);
  });

  it('the bundle bin/imds.js runs: `get` loads no emulator code and no runtime dependency', () => {
    const bundle = join(ROOT, 'dist/cli-bundle');
    // One file: the dispatcher and the client commands, with the version written in.
    const main = readFileSync(join(bundle, 'main.js'), 'utf8');
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
    expect(main).toContain(JSON.stringify(version));
    expect(main).not.toContain('package.json');
    expect(readFileSync(BIN, 'utf8')).not.toMatch(/require\([^)]*package\.json/);
    // The client is in it (its wire names are); Node's modules are required plainly, and the full
    // package's commands lazily, by their own files.
    expect(main).toContain('/latest/api/token');
    expect([...new Set([...main.matchAll(/require\(([^)]+)\)/g)].map((match) => match[1]))].sort()).toEqual([
      '"node:child_process"',
      '"node:http"',
      '"node:https"',
      '"node:net"',
      '__dirname+"/audit.js"',
      '__dirname+"/proxy.js"',
      '__dirname+"/record.js"',
      '__dirname+"/serve.js"',
    ]);
    // No `import()`: it would start the ES module loader, and code compiled with node:vm has none.
    expect(main).not.toMatch(/\bimport\(/);
    expect(main).not.toContain('EC2ws');
    expect(readFileSync(join(bundle, 'serve-code.js'), 'utf8')).toContain('EC2ws');
  });

  it("the build's code cache fits this Node: V8 accepts it for main.js as bin/imds.js compiles it", () => {
    // A fresh process without flags, as `node bin/imds.js` runs (V8 rejects a cache made under other
    // flags), compiling main.js through the bin's own loader with the name the bin gives it.
    const used = execFileSync(
      process.execPath,
      [
        '-e',
        `const { compileCached } = require(process.argv[1]);
process.stdout.write(compileCached(process.argv[2], process.argv[3]).codeCache);`,
        join(ROOT, 'bin/compile-cached.js'),
        join(ROOT, 'dist/cli-bundle/main.js'),
        join(ROOT, 'dist/cli-bundle/main'),
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
    );
    expect(used).toBe('used');
    expect(readFileSync(BIN, 'utf8')).toMatch(/compileCached\(file, `\$\{dir\}\/main`\)/);
  });

  it('the client sources import nothing but node: built-ins, each other and ../wire.js', () => {
    const dir = join(ROOT, 'src/client');
    for (const name of readdirSync(dir)) {
      // Examples in TSDoc show how users import the package; only code counts.
      const source = readFileSync(join(dir, name), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
      for (const [, specifier] of source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)'([^']+)'/g)) {
        expect(specifier, `${name} imports ${specifier}`).toMatch(
          /^(node:[a-z/]+|\.\/[a-z-]+\.js|\.\.\/wire\.js)$/,
        );
      }
    }
  });
});
