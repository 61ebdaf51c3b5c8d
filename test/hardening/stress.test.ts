/**
 * Concurrency: 64 clients over loopback, one connection per request, mixing token PUTs, GETs and
 * HEADs (valid, missing, tampered and other-emulator tokens) over every path of the default tree,
 * against an `optional`, a `required` and a disabled (`HttpEndpoint=disabled`) emulator at once. Every status, body, Content-Length,
 * Content-Type and TTL header is checked against what the emulator itself listed before the load.
 * The Go emulator this project replaces crashes on concurrent token requests and answers paths
 * with other paths' bodies under load; either would show here as a failure or a wrong answer.
 * The long version is `npm run soak`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Directory, MetadataNode } from '../../src/metadata/tree.js';
import { runLoad, type LoadReport } from './support/load.js';
import { LOAD_NOW, startLoadTargets, type LoadTargets } from './support/targets.js';

const CLIENTS = 64;
const REQUESTS = 40_000;
/**
 * A hang guard only, far above any real run: the test asserts the count of answered requests, never
 * how long they took (a loaded 2-core machine may take several times longer than an idle one).
 */
const MAX_DURATION_MS = 240_000;
const SEED = 0x5eed_0006;

/** Paths of every node under a version's root, as the crawl writes them (directories end in `/`). */
function treePaths(node: MetadataNode, prefix: string): string[] {
  if (node.kind === 'leaf') return [prefix];
  const here = `${prefix}/`;
  return [
    here,
    ...[...(node as Directory).children].flatMap(([name, child]) => treePaths(child, `${here}${name}`)),
  ];
}

describe('stress: 64 concurrent clients, every mode', () => {
  let load: LoadTargets;
  let report: LoadReport;

  beforeAll(async () => {
    load = await startLoadTargets(['optional', 'required', 'disabled']);
    report = await runLoad({
      targets: load.targets,
      clients: CLIENTS,
      requests: REQUESTS,
      maxDurationMs: MAX_DURATION_MS,
      seed: SEED,
    });
  }, MAX_DURATION_MS + 30_000);
  afterAll(async () => {
    await load?.close();
  });

  it('crawled every node of the tree under /latest/, as the tree itself holds it', () => {
    const [running] = load.emulators;
    const [crawl] = load.crawls;
    const crawled = crawl!.paths.map(({ path }) => path).filter((path) => path.startsWith('/latest/'));
    expect(new Set(crawled)).toEqual(new Set(treePaths(running!.emulator.tree(LOAD_NOW), '/latest')));
    expect(crawl!.versions.length).toBeGreaterThan(20);
    expect(crawl!.paths.length).toBeGreaterThan(1_000);
  });

  it(`answers all ${REQUESTS} requests, each exactly as expected`, () => {
    expect(report.samples).toEqual([]);
    expect({
      requests: report.requests,
      correct: report.correct,
      wrong: report.wrong,
      failed: report.failed,
    }).toEqual({
      requests: REQUESTS,
      correct: REQUESTS,
      wrong: 0,
      failed: 0,
    });
  });

  it('served every spelling of every path in both token modes', () => {
    const enabled = load.targets.filter((target) => target.mode !== 'disabled');
    expect(enabled).toHaveLength(2);
    const everyPath = enabled.flatMap((target) => target.cases.map(({ path }) => `${target.name} ${path}`));
    const missed = everyPath.filter((key) => !report.pathsServed.has(key));
    expect(missed.slice(0, 10)).toEqual([]);
    expect(report.pathsServed.size).toBe(new Set(everyPath).size);
  });

  it('mixed every kind of request and got every kind of answer', () => {
    for (const kind of [
      'PUT token',
      'PUT bad-ttl',
      'GET token',
      'HEAD token',
      'GET none',
      'HEAD none',
      'GET tampered',
      'HEAD tampered',
      'GET foreign',
      'PUT disabled',
      'GET disabled',
      'HEAD disabled',
    ]) {
      expect(report.byKind[kind] ?? 0, kind).toBeGreaterThan(0);
    }
    for (const status of ['200', '400', '401', '403', '404', '405'])
      expect(report.byStatus[status] ?? 0, status).toBeGreaterThan(0);
  });

  it('never minted the same token twice', () => {
    expect(report.tokensMinted.size).toBe(report.byKind['PUT token']);
  });
});
