/**
 * The import graph of `src/`, read from the files themselves: no cycle between files, and no edge
 * from a lower part to a higher one. Parts and their order:
 *
 *   ranges  <  wire, clock, duration, load-on-first-use  <  net, metadata  <  scenarios  <  server
 *   <  config, audit  <  control, start, recording  <  fleet, proxy  <  testing, cli  <  index
 *
 * The client stands apart: it may import only `wire` (never the emulator), so it can be
 * used, and bundled, alone; only the CLI, the index and the recorder import it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve('src');
const RANK: Readonly<Record<string, number>> = {
  wire: 0,
  clock: 0,
  duration: 0,
  // The range checks of durations and instants: the manual clock applies them too.
  ranges: -1,
  'load-on-first-use': 0,
  net: 1,
  metadata: 1,
  scenarios: 2,
  server: 3,
  config: 4,
  control: 5,
  fleet: 6,
  recording: 5,
  proxy: 6,
  audit: 4,
  start: 5,
  testing: 7,
  cli: 7,
  index: 8,
};
const CLIENT_MAY_IMPORT = new Set(['wire']);
/** The parts that use the client: the CLI, the package index and the recorder (`imds record` reads with it). */
const CLIENT_USERS = new Set(['cli', 'index', 'recording']);
/**
 * Upward edges that exist and are known, each with its way out; any other fails the test. The
 * file side of the fleet (its spec types and the builder from the file's `fleet:` section) lives in
 * `fleet/`, which also serves; moving `fleet-spec.ts`, `build-fleet.ts` and the member derivation
 * under `config/` removes these four.
 */
const KNOWN_UPWARD = new Set([
  'config/load-file.ts -> fleet/build-fleet.ts',
  'config/load-file.ts -> fleet/fleet-spec.ts',
  'config/print-config.ts -> fleet/fleet-spec.ts',
  'config/resolve.ts -> fleet/fleet-spec.ts',
  // Caller attribution: the emulator and its log use the attributor's types, and the audit
  // reads the control API's record shapes. A leaf module for the caller types and the record
  // shapes (below server/) removes these.
  'server/emulator.ts -> audit/attributor.ts',
  'server/request-log.ts -> audit/attributor.ts',
  'audit/read-records.ts -> control/api-shapes.ts',
  'audit/report.ts -> control/api-shapes.ts',
  'audit/request-log-file.ts -> control/controller.ts',
]);
/** File cycles that exist and are known (same way out as above); any other fails the test. */
const KNOWN_CYCLES = new Set([
  'audit/attributor.ts -> audit/process-info.ts -> server/request-log.ts -> audit/attributor.ts',
]);
const IMPORT = /^\s*(?:import|export)\b[^'"]*?\bfrom\s+'(\.{1,2}\/[^']+)'|^\s*import\s+'(\.{1,2}\/[^']+)'/gm;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** `server/http1/connection.ts` -> `server`; `wire.ts` -> `wire`. */
function partOf(file: string): string {
  const [first = '', ...rest] = path.relative(SRC, file).split(path.sep);
  return rest.length === 0 ? first.replace(/\.ts$/, '') : first;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((match) =>
    path.resolve(path.dirname(file), (match[1] ?? match[2]) as string).replace(/\.js$/, '.ts'),
  );
}

type Graph = ReadonlyMap<string, readonly string[]>;

/** Every cycle, as the files along it (the first repeated at the end), by depth-first search. */
function cyclesIn(graph: Graph): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found.map((cycle) => cycle.map((file) => path.relative(SRC, file)));
}

/** Whether part `from` may import part `to`. */
function mayImport(from: string, to: string): boolean {
  if (from === to) return true;
  if (from === 'client') return CLIENT_MAY_IMPORT.has(to);
  if (to === 'client') return CLIENT_USERS.has(from);
  return (RANK[to] as number) < (RANK[from] as number);
}

/** Every edge from a part to one it may not import. */
function upwardEdgesIn(graph: Graph): string[] {
  return [...graph].flatMap(([file, targets]) =>
    targets
      .filter((target) => !mayImport(partOf(file), partOf(target)))
      .map((target) => `${path.relative(SRC, file)} -> ${path.relative(SRC, target)}`),
  );
}

const files = sourceFiles(SRC);
const graph: Graph = new Map(files.map((file) => [file, importsOf(file)]));
const at = (file: string) => path.join(SRC, file);

describe('the import graph of src/', () => {
  it('reads every source file and resolves every relative import to one', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(graph.get(at('server/emulator.ts'))).toContain(at('server/handler.ts'));
    const dangling = [...graph].flatMap(([file, targets]) =>
      targets.filter((target) => !graph.has(target)).map((target) => `${file} -> ${target}`),
    );
    expect(dangling).toEqual([]);
  });

  it('knows the part of every file', () => {
    const unknown = files.map(partOf).filter((part) => part !== 'client' && RANK[part] === undefined);
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('has no cycle between files', () => {
    const found = cyclesIn(graph).map((cycle) => cycle.join(' -> '));
    expect(found.filter((cycle) => !KNOWN_CYCLES.has(cycle))).toEqual([]);
    expect([...KNOWN_CYCLES].filter((cycle) => !found.includes(cycle))).toEqual([]);
  });

  it('has no edge from a lower part to a higher one, and the client imports nothing but wire', () => {
    const upward = upwardEdgesIn(graph);
    expect(upward.filter((edge) => !KNOWN_UPWARD.has(edge))).toEqual([]);
    // A known edge that is gone must leave the list too, so the list only ever shrinks.
    expect([...KNOWN_UPWARD].filter((edge) => !upward.includes(edge))).toEqual([]);
  });

  it('the checks find a cycle and an upward edge when there is one', () => {
    const broken: Graph = new Map([
      [at('config/a.ts'), [at('control/b.ts')]],
      [at('control/b.ts'), [at('config/a.ts')]],
      [at('client/c.ts'), [at('server/d.ts')]],
      [at('server/d.ts'), []],
    ]);
    expect(cyclesIn(broken)).toEqual([['config/a.ts', 'control/b.ts', 'config/a.ts']]);
    expect(upwardEdgesIn(broken)).toEqual(['config/a.ts -> control/b.ts', 'client/c.ts -> server/d.ts']);
  });
});
