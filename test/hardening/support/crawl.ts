/**
 * Crawls a running emulator the way a metadata client does: `GET /` for the versions, then each
 * version's listing, following every child. The result is the expected body of every path, read
 * from the emulator itself (in `optional` mode, so no token is needed), for the load tests to check
 * every later answer against.
 */
import { DYNAMIC, META_DATA } from '../../../src/wire.js';
import { sendRequest, type WireResponse } from './wire-client.js';

/** One crawled path and the body it must be answered with. */
export interface CrawledPath {
  /** `/latest/meta-data/ami-id`, `/2009-04-04/meta-data/` (directories end in `/`). */
  readonly path: string;
  readonly kind: 'dir' | 'leaf';
  readonly body: Buffer;
  readonly contentType: string;
}

/** Everything a crawl found. */
export interface Crawl {
  readonly versions: readonly string[];
  readonly paths: readonly CrawledPath[];
}

const CRAWL_CONCURRENCY = 16;

/**
 * Reads every path of the emulator on `port`. The emulator must serve token-less reads.
 * @throws Error when any listed path does not answer 200: the tree and its listings disagree.
 */
export async function crawlEmulator(port: number): Promise<Crawl> {
  const root = await get(port, '/');
  const versions = root.body.toString('utf8').split('\n');
  const paths: CrawledPath[] = [
    { path: '/', kind: 'dir', body: root.body, contentType: contentTypeOf(root) },
  ];
  let frontier = versions.map((version) => `/${version}/`);
  while (frontier.length > 0) {
    const found = await mapConcurrently(frontier, (path) => visit(port, path));
    paths.push(...found);
    frontier = found.filter((entry) => entry.kind === 'dir').flatMap((entry) => childPaths(entry));
  }
  return { versions, paths };
}

async function visit(port: number, path: string): Promise<CrawledPath> {
  const response = await get(port, path);
  return {
    path,
    kind: path.endsWith('/') ? 'dir' : 'leaf',
    body: response.body,
    contentType: contentTypeOf(response),
  };
}

/**
 * The children a listing names. Child directories end in `/`, except where the service writes them
 * bare: a version's listing (`dynamic`, `meta-data`) and `public-keys/` (`0=<key-name>`, whose
 * path segment is `0`).
 */
function childPaths(entry: CrawledPath): string[] {
  if (entry.body.length === 0) return [];
  const versionListing = entry.path.split('/').length === 3;
  return entry.body
    .toString('utf8')
    .split('\n')
    .map((name) => {
      if (name.endsWith('/')) return `${entry.path}${name}`;
      const equals = name.indexOf('=');
      if (equals > 0) return `${entry.path}${name.slice(0, equals)}/`;
      if (versionListing && (name === META_DATA || name === DYNAMIC)) return `${entry.path}${name}/`;
      return `${entry.path}${name}`;
    });
}

async function get(port: number, path: string): Promise<WireResponse> {
  const outcome = await sendRequest(port, { method: 'GET', path });
  if (outcome.kind !== 'response')
    throw new Error(`crawl: GET ${path} failed: ${outcome.reason} ${outcome.detail}`);
  if (outcome.status !== 200)
    throw new Error(`crawl: GET ${path} answered ${outcome.status}; is the emulator in optional mode?`);
  return outcome;
}

function contentTypeOf(response: WireResponse): string {
  return response.headers.get('content-type') ?? '';
}

async function mapConcurrently<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CRAWL_CONCURRENCY, items.length) }, worker));
  return results;
}
