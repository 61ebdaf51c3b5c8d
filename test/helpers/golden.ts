import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const GOLDEN_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');

/**
 * Compares a whole response (status line, headers in order, body bytes) with its golden file.
 * `UPDATE_GOLDEN=1 npx vitest run` rewrites the files; review the diff before committing, because a
 * golden written from the code proves nothing until a person has checked it against the spec.
 */
export function expectGolden(name: string, wire: string): void {
  const path = join(GOLDEN_ROOT, `${name}.http`);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, wire, 'latin1');
    return;
  }
  if (!existsSync(path))
    throw new Error(`missing golden file ${path}; run with UPDATE_GOLDEN=1 and review it`);
  expect(wire).toBe(readFileSync(path, 'latin1'));
}
