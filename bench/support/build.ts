/**
 * Figures 4, 6 and 7 run the shipped command (`bin/imds.js` loads `dist/`), so dist must match
 * src. When a source file is newer than its compiled file (or that is missing), this runs the
 * project's build (`tsc -p tsconfig.build.json`, as `npm run build` does) before measuring.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';
import { runProcess } from './run-process.js';

export interface BuildCheck {
  readonly rebuilt: boolean;
  /** The first stale file found, when rebuilt. */
  readonly reason?: string;
  /** tsc's exit code when it ran (non-zero for type errors, which still emit). */
  readonly tscExit?: number | null;
}

export async function ensureBuilt(log: (message: string) => void): Promise<BuildCheck> {
  const stale = firstStale(path.join(REPO_ROOT, 'src'), path.join(REPO_ROOT, 'dist'));
  if (stale === undefined) return { rebuilt: false };
  log(`bench: dist/ is older than ${path.relative(REPO_ROOT, stale)}; building (tsc -p tsconfig.build.json)`);
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = await runProcess(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { timeoutMs: 180_000 });
  if (result.code !== 0) {
    // Type errors elsewhere in the tree still emit JavaScript; say so and measure what was emitted.
    log(`bench: tsc exited ${String(result.code)} (output still emitted):\n${result.stdout.split('\n').slice(0, 5).join('\n')}`);
  }
  if (firstStale(path.join(REPO_ROOT, 'src'), path.join(REPO_ROOT, 'dist')) !== undefined) {
    throw new Error('bench: dist/ is still out of date after building; run `npm run build` and look at its errors');
  }
  return { rebuilt: true, reason: path.relative(REPO_ROOT, stale), tscExit: result.code };
}

/** The first `src/**\/*.ts` (not a test) whose `dist/**\/*.js` is missing or older. */
function firstStale(sourceDir: string, outDir: string): string | undefined {
  for (const entry of readdirSync(sourceDir, { withFileTypes: true })) {
    const source = path.join(sourceDir, entry.name);
    if (entry.isDirectory()) {
      const stale = firstStale(source, path.join(outDir, entry.name));
      if (stale !== undefined) return stale;
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) {
      const compiled = path.join(outDir, entry.name.replace(/\.ts$/, '.js'));
      let compiledTime: number;
      try {
        compiledTime = statSync(compiled).mtimeMs;
      } catch {
        return source;
      }
      if (statSync(source).mtimeMs > compiledTime) return source;
    }
  }
  return undefined;
}
