/**
 * What each request of the load must be answered with, derived from a crawl of the emulator that
 * serves it: the paths to ask for (in every spelling the service accepts) and their bodies.
 */
import type { HttpTokens } from '../../../src/wire.js';
import type { Crawl } from './crawl.js';
import { sendRequest } from './wire-client.js';

/** One path to request and the body a 200 (or 404) must carry. */
export interface PathCase {
  /** The path as sent, e.g. `//latest/meta-data/ami-id/`. */
  readonly path: string;
  readonly status: 200 | 404;
  readonly body: Buffer;
  readonly contentType: string;
}

/** `HttpTokens` of an enabled emulator, or `disabled` for `HttpEndpoint=disabled`. */
export type LoadMode = HttpTokens | 'disabled';

/** An emulator under load: where it listens, its mode, and its expected answers. */
export interface LoadTarget {
  readonly name: string;
  readonly port: number;
  readonly mode: LoadMode;
  readonly cases: readonly PathCase[];
  /** The bodies of the emulator's own error pages, read from it. */
  readonly pages: { readonly badRequest: Buffer; readonly forbidden: Buffer };
}

/** Paths that name nothing, in each version and at odd depths. */
const MISSING = [
  '/latest/meta-data/no-such-category',
  '/latest/nope/',
  '/2007-01-19/meta-data/iam/',
  '/1999-01-01/',
  '/latest/meta-data/ami-id/extra',
];

/**
 * Every crawled path in three spellings (as crawled, with its trailing slash toggled, with a
 * doubled leading slash) plus paths that must be 404s. Call it while the emulator is enabled and
 * serves token-less reads, as for the crawl.
 */
export async function loadTarget(
  name: string,
  port: number,
  mode: LoadMode,
  crawl: Crawl,
): Promise<LoadTarget> {
  const cases: PathCase[] = [];
  for (const { path, body, contentType } of crawl.paths) {
    const spellings = new Set([path, toggleTrailingSlash(path), `/${path}`]);
    for (const spelling of spellings) cases.push({ path: spelling, status: 200, body, contentType });
  }
  for (const path of MISSING) {
    const page = await errorPage(port, 'GET', path, [], 404);
    cases.push({ path, status: 404, body: page, contentType: 'text/html' });
  }
  const badRequest = await errorPage(
    port,
    'PUT',
    '/latest/api/token',
    [['X-aws-ec2-metadata-token-ttl-seconds', '0']],
    400,
  );
  const forbidden = await errorPage(
    port,
    'PUT',
    '/2009-04-04/api/token',
    [['X-aws-ec2-metadata-token-ttl-seconds', '60']],
    403,
  );
  return { name, port, mode, cases, pages: { badRequest, forbidden } };
}

function toggleTrailingSlash(path: string): string {
  if (path === '/') return '/';
  return path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
}

async function errorPage(
  port: number,
  method: string,
  path: string,
  headers: ReadonlyArray<readonly [string, string]>,
  status: number,
): Promise<Buffer> {
  const outcome = await sendRequest(port, { method, path, headers });
  if (outcome.kind !== 'response' || outcome.status !== status) {
    throw new Error(
      `expected ${status} for ${method} ${path}, got ${outcome.kind === 'response' ? outcome.status : outcome.detail}`,
    );
  }
  return outcome.body;
}
