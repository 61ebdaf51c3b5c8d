/**
 * The crawl behind `imds record`: the version listing, then, for every version asked for, every
 * directory and leaf its listings name, in parallel under one concurrency limit. Results are
 * merged into entries per path, each variant with the versions it was seen in; the order is the
 * tree's (listing order), whatever order the answers arrived in, so two crawls of one service
 * give the same recording.
 */
import { createLimiter } from '../client/limiter.js';
import {
  childOfListing,
  childPath,
  compactVersionSet,
  ROOT_PATH,
  type RecordedEntry,
  type Recording,
  type RecordingSource,
} from './format.js';
import { jsonKeys, omittedReason, type OmitPolicy } from './secrets.js';

/** What the crawl reads with. `read` rejects with `{ status: 404 }`-shaped not-found errors via `isNotFound`. */
export interface CrawlReader {
  /** `GET path` with the client's token handling; the body and its content type. */
  read(path: string): Promise<{ body: Uint8Array; contentType: string }>;
  /** True when the error `read` threw means 404. */
  isNotFound(error: unknown): boolean;
  /** The status of a token-less `GET /latest/meta-data/` (401 when tokens are required). */
  tokenlessStatus(): Promise<number | undefined>;
}

export interface CrawlOptions {
  /** Versions to crawl (default every version listed). */
  readonly versions?: readonly string[];
  readonly policy: OmitPolicy;
  /** Requests in flight at once. */
  readonly concurrency: number;
  readonly source?: RecordingSource;
  /** Called after each path is read, with the paths read and the paths known so far. */
  readonly onProgress?: (done: number, found: number) => void;
}

/** A version asked for that the service does not list. */
export class UnknownVersionError extends Error {
  override readonly name = 'UnknownVersionError';
  constructor(
    readonly version: string,
    readonly listed: readonly string[],
  ) {
    super(
      `version '${version}' is not listed by the service (it lists ${listed.length}: ${listed.join(', ')})`,
    );
  }
}

/** The service answered something a metadata tree cannot be: a listing that names no child, or no end. */
export class CrawlError extends Error {
  override readonly name = 'CrawlError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path} ${message}`);
  }
}

/** Deeper than any real tree: a service inventing directories forever is cut off here. */
const MAX_DEPTH = 16;
const utf8 = new TextDecoder();

type Observation =
  | { kind: 'dir'; listing: string[] }
  | { kind: 'leaf'; body: Uint8Array; contentType: string }
  | { kind: 'missing' };

/** Crawls and returns the recording. */
export async function crawl(reader: CrawlReader, options: CrawlOptions): Promise<Recording> {
  const limit = createLimiter(options.concurrency);
  let done = 0;
  let found = 1;
  const progress = () => options.onProgress?.(done, found);

  const listed = splitListing((await limit(() => reader.read('/'))).body);
  done++;
  progress();
  for (const version of options.versions ?? [])
    if (!listed.includes(version)) throw new UnknownVersionError(version, listed);
  const versions = options.versions
    ? listed.filter((version) => options.versions?.includes(version))
    : listed;
  const httpTokensStatus = await reader.tokenlessStatus();

  const seen = new Map<string, Map<string, Observation>>();
  async function visit(version: string, path: string, directory: boolean, depth: number): Promise<void> {
    const url = `/${version}/${path === ROOT_PATH ? '' : path}`;
    let observation: Observation;
    try {
      const { body, contentType } = await limit(() => reader.read(url));
      observation = directory
        ? { kind: 'dir', listing: splitListing(body) }
        : { kind: 'leaf', body, contentType };
    } catch (error) {
      if (!reader.isNotFound(error)) throw error;
      observation = { kind: 'missing' };
    }
    done++;
    let byVersion = seen.get(path);
    if (!byVersion) seen.set(path, (byVersion = new Map()));
    byVersion.set(version, observation);
    if (observation.kind !== 'dir') return progress();
    if (depth >= MAX_DEPTH) throw new CrawlError(url, `nests deeper than ${MAX_DEPTH} levels`);
    const children = observation.listing.map((line) => {
      const child = childOfListing(path, line);
      if (!child) throw new CrawlError(url, `lists '${line}', which is not a child name`);
      return child;
    });
    found += children.length;
    progress();
    await Promise.all(
      children.map((child) => visit(version, childPath(path, child), child.directory, depth + 1)),
    );
  }
  found += versions.length;
  await Promise.all(versions.map((version) => visit(version, ROOT_PATH, true, 0)));

  return {
    source: options.source ?? {},
    ...(httpTokensStatus === 401
      ? { httpTokens: 'required' as const }
      : httpTokensStatus === 200
        ? { httpTokens: 'optional' as const }
        : {}),
    versions,
    entries: mergeEntries(seen, versions, options.policy),
  };
}

function splitListing(body: Uint8Array): string[] {
  return utf8
    .decode(body)
    .split('\n')
    .filter((line) => line !== '');
}

/**
 * One entry per distinct observation of a path, in tree order: a depth-first walk where a
 * directory's children come in listing order (the latest version's first, then any only older
 * versions list).
 */
function mergeEntries(
  seen: ReadonlyMap<string, ReadonlyMap<string, Observation>>,
  versions: readonly string[],
  policy: OmitPolicy,
): RecordedEntry[] {
  const order = [...versions].reverse();
  const entries: RecordedEntry[] = [];
  const walk = (path: string): void => {
    const byVersion = seen.get(path);
    if (!byVersion) return;
    const groups = new Map<string, { observation: Observation; versions: Set<string> }>();
    for (const version of order) {
      const observation = byVersion.get(version);
      if (!observation) continue;
      const key = observationKey(path, observation, policy);
      const group = groups.get(key);
      if (group) group.versions.add(version);
      else groups.set(key, { observation, versions: new Set([version]) });
    }
    for (const { observation, versions: where } of groups.values())
      entries.push(toEntry(path, observation, compactVersionSet(where, versions), policy));
    const children: string[] = [];
    for (const version of order) {
      const observation = byVersion.get(version);
      if (observation?.kind !== 'dir') continue;
      for (const line of observation.listing) {
        const child = childOfListing(path, line);
        const next = child && childPath(path, child);
        if (next && !children.includes(next)) children.push(next);
      }
    }
    for (const child of children) walk(child);
  };
  walk(ROOT_PATH);
  return entries;
}

/** Versions whose observations share a key share one entry; omitted leaves compare by shape only. */
function observationKey(path: string, observation: Observation, policy: OmitPolicy): string {
  if (observation.kind === 'dir') return `dir\n${observation.listing.join('\n')}`;
  if (observation.kind === 'missing') return 'missing';
  const reason = omittedReason(path, policy, observation.body);
  if (reason)
    return `omitted\n${reason}\n${observation.contentType}\n${jsonKeys(observation.body)?.join(',')}`;
  return `leaf\n${observation.contentType}\n${Buffer.from(observation.body).toString('base64')}`;
}

function toEntry(
  path: string,
  observation: Observation,
  versions: RecordedEntry['versions'],
  policy: OmitPolicy,
): RecordedEntry {
  if (observation.kind === 'dir') return { kind: 'dir', path, listing: observation.listing, versions };
  if (observation.kind === 'missing') return { kind: 'missing', path, versions };
  const omitted = omittedReason(path, policy, observation.body);
  if (!omitted)
    return { kind: 'leaf', path, body: observation.body, contentType: observation.contentType, versions };
  const keys = jsonKeys(observation.body);
  // A signature's length varies from one signing to the next (DSA): it says nothing about the instance.
  const size = keys || omitted === 'identity signature' ? {} : { size: observation.body.length };
  return {
    kind: 'leaf',
    path,
    contentType: observation.contentType,
    omitted,
    ...(keys ? { keys } : {}),
    ...size,
    versions,
  };
}
