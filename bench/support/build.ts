/**
 * Figures 4, 6 and 7 run the shipped command (`bin/imds.js`, which loads what `npm run build`
 * writes to `dist/`), so `dist/` must match `src/`. When a source file is newer than its compiled
 * file or than the CLI bundle (`dist/cli-bundle/`), this runs `npm run build` before measuring.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';
import { runProcess } from './run-process.js';

const SOURCE_DIR = path.join(REPO_ROOT, 'src');
const OUT_DIR = path.join(REPO_ROOT, 'dist');
const BUNDLE_DIR = path.join(OUT_DIR, 'cli-bundle');

export interface BuildCheck {
  readonly rebuilt: boolean;
  /** The first stale file found, when rebuilt. */
  readonly reason?: string;
  /** The build's exit code when it ran. */
  readonly buildExit?: number | null;
}

export async function ensureBuilt(log: (message: string) => void): Promise<BuildCheck> {
  const stale = firstStale();
  if (stale === undefined) return { rebuilt: false };
  log(`bench: dist/ is older than ${path.relative(REPO_ROOT, stale)}; running npm run build`);
  const result = await runProcess('npm', ['run', 'build', '--silent'], { timeoutMs: 300_000 });
  if (result.code !== 0) {
    // tsc still emits on type errors elsewhere in the tree; measure what was built, and say so.
    log(
      `bench: npm run build exited ${String(result.code)}:\n${`${result.stdout}${result.stderr}`.split('\n').slice(0, 8).join('\n')}`,
    );
  }
  const still = firstStale();
  if (still !== undefined)
    throw new Error(
      `bench: dist/ is still older than ${path.relative(REPO_ROOT, still)} after npm run build; see its errors`,
    );
  return { rebuilt: true, reason: path.relative(REPO_ROOT, stale), buildExit: result.code };
}

/** The first source file newer than its compiled file or than the CLI bundle; undefined when all are current. */
function firstStale(): string | undefined {
  const bundleTime = oldestModification(BUNDLE_DIR);
  for (const source of sourceFiles(SOURCE_DIR)) {
    const sourceTime = statSync(source).mtimeMs;
    const compiled = path.join(OUT_DIR, path.relative(SOURCE_DIR, source)).replace(/\.ts$/, '.js');
    const compiledTime = modification(compiled);
    if (compiledTime === undefined || sourceTime > compiledTime) return source;
    if (bundleTime !== undefined && sourceTime > bundleTime) return source;
  }
  return undefined;
}

function* sourceFiles(directory: string): Generator<string> {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const file = path.join(directory, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(file);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts'))
      yield file;
  }
}

function modification(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** The oldest file in a directory (the bundle is rewritten whole), or undefined when it does not exist. */
function oldestModification(directory: string): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync(directory);
  } catch {
    return undefined;
  }
  const times = entries
    .map((name) => modification(path.join(directory, name)))
    .filter((time): time is number => time !== undefined);
  return times.length === 0 ? undefined : Math.min(...times);
}
