/**
 * The recipes of README.md, run as written by the runner each is for: each is copied out of
 * the page into a scratch directory where `ec2-imds` resolves to this package (its built `dist/`),
 * then run in a child process. `npm test` builds `dist/` first.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DOC = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Recipe {
  readonly runner: string;
  readonly file: string;
  readonly code: string;
}

function recipes(): Recipe[] {
  const found: Recipe[] = [];
  const pattern = /<!-- recipe: (\S+) (\S+) -->\n```js\n([\s\S]*?)```/g;
  for (const match of DOC.matchAll(pattern))
    found.push({ runner: match[1]!, file: match[2]!, code: match[3]! });
  return found;
}

let scratch: string;
beforeAll(() => {
  expect(existsSync(join(ROOT, 'dist', 'testing', 'index.js')), 'dist/ is missing: run npm run build').toBe(
    true,
  );
  scratch = mkdtempSync(join(tmpdir(), 'imds-recipes-'));
  mkdirSync(join(scratch, 'node_modules'));
  symlinkSync(ROOT, join(scratch, 'node_modules', 'ec2-imds'), 'dir');
  symlinkSync(join(ROOT, 'node_modules', 'vitest'), join(scratch, 'node_modules', 'vitest'), 'dir');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Writes a recipe into its own directory and runs the command; returns the output. */
function run(recipe: Recipe, command: (dir: string, file: string) => string[]) {
  const dir = join(scratch, recipe.runner);
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(scratch, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const file = join(dir, recipe.file);
  writeFileSync(file, recipe.code);
  const [executable, ...args] = command(dir, file);
  const result = spawnSync(executable!, args, {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' },
  });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

const byRunner = (runner: string) => {
  const recipe = recipes().find((each) => each.runner === runner);
  if (!recipe) throw new Error(`README.md has no ${runner} recipe`);
  return recipe;
};

describe('README.md recipes', () => {
  it('has exactly the vitest, jest and node:test recipes', () => {
    expect(recipes().map((recipe) => recipe.runner)).toEqual(['vitest', 'jest', 'node-test']);
  });

  it('vitest', () => {
    const { status, output } = run(byRunner('vitest'), (dir, file) => [
      process.execPath,
      join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--root',
      dir,
      file,
    ]);
    expect(output).toMatch(/Tests\s+2 passed \(2\)/);
    expect(status).toBe(0);
  });

  it('jest', () => {
    const { status, output } = run(byRunner('jest'), (dir) => [
      process.execPath,
      '--experimental-vm-modules',
      join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
      '--rootDir',
      dir,
      '--config',
      JSON.stringify({ testMatch: ['**/*.test.mjs'], transform: {} }),
    ]);
    expect(output).toMatch(/Tests:\s+2 passed, 2 total/);
    expect(status).toBe(0);
  });

  it('node:test', () => {
    const { status, output } = run(byRunner('node-test'), (_, file) => [process.execPath, '--test', file]);
    expect(output).toMatch(/# pass 1/);
    expect(output).toMatch(/# fail 0/);
    expect(status).toBe(0);
  });
});
