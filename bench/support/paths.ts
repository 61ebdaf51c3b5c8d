/** Where the bench finds the repository's pieces, independent of the working directory. */
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BENCH_DIR = fileURLToPath(new URL('../', import.meta.url));
export const IMDS_BIN = fileURLToPath(new URL('../../bin/imds.js', import.meta.url));

/** The arguments (after `node`) of the shipped `imds serve` on 127.0.0.1:`port`, with `flags` after them. */
export function imdsServeArgs(port: number, ...flags: string[]): string[] {
  return [IMDS_BIN, 'serve', '--host', '127.0.0.1', '--port', String(port), ...flags];
}

/** A file under bench/. */
export function benchFile(relative: string): string {
  return fileURLToPath(new URL(`../${relative}`, import.meta.url));
}
