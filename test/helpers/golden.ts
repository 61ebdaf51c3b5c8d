import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const GOLDEN_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden');
/** The token modes the contract suite runs in; only their cases share files. */
const MODES = new Set(['required', 'optional']);

/**
 * Compares a whole response (status line, headers in order, body bytes) with its golden file.
 *
 * One file per case (`golden/<case>.http`), shared by the token modes; a mode whose answer differs
 * has its own file (`golden/<mode>/<case>.http`), which wins. Any other name (`disabled/...`,
 * `instances/...`) is its own file.
 *
 * `UPDATE_GOLDEN=1 npx vitest run` rewrites the files: the shared file when there is none yet or
 * the answer matches it, else the mode's own file (removed again when it matches the shared one).
 * Review the diff before committing, because a golden written from the code proves nothing until
 * a person has checked it against the spec.
 */
export function expectGolden(name: string, wire: string): void {
  const own = join(GOLDEN_ROOT, `${name}.http`);
  const shared = MODES.has(dirname(name)) ? join(GOLDEN_ROOT, `${basename(name)}.http`) : own;
  if (process.env.UPDATE_GOLDEN === '1') {
    update(own, shared, wire);
    return;
  }
  const path = existsSync(own) ? own : shared;
  if (!existsSync(path))
    throw new Error(`missing golden file ${path}; run with UPDATE_GOLDEN=1 and review it`);
  expect(wire).toBe(readFileSync(path, 'latin1'));
}

function update(own: string, shared: string, wire: string): void {
  if (own === shared || !existsSync(shared)) {
    mkdirSync(dirname(shared), { recursive: true });
    writeFileSync(shared, wire, 'latin1');
  } else if (readFileSync(shared, 'latin1') === wire) {
    rmSync(own, { force: true });
  } else {
    mkdirSync(dirname(own), { recursive: true });
    writeFileSync(own, wire, 'latin1');
  }
}
