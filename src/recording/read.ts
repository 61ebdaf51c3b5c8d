/**
 * Reads a recording file (YAML or JSON) and checks it as strictly as a configuration file: every
 * problem is collected and reported with the file, the line, the key path (`tree["meta-data/ami-id"]`)
 * and what is wrong. A recording that passes builds a tree for every version it lists.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, type LocatedProblem } from '../config/config-error.js';
import { describeValue, type ConfigProblem, type KeyPath } from '../config/problem.js';
import { suggest } from '../config/suggest.js';
import { parseYamlSource } from '../config/yaml-source.js';
import { TEXT_PLAIN } from '../metadata/tree.js';
import {
  childOfListing,
  childPath,
  inVersionSet,
  RECORDING_FORMAT,
  ROOT_PATH,
  type OmittedReason,
  type RecordedEntry,
  type Recording,
  type RecordingSource,
  type VersionSet,
} from './format.js';

const TOP_KEYS = ['format', 'source', 'httpTokens', 'versions', 'tree'];
const SOURCE_KEYS = ['endpoint', 'at', 'tool'];
const ENTRY_KEYS = [
  'text',
  'base64',
  'listing',
  'missing',
  'omitted',
  'keys',
  'size',
  'contentType',
  'since',
  'until',
  'in',
];
const OMITTED: readonly OmittedReason[] = [
  'role credentials',
  'identity credentials',
  'identity signature',
  'user data',
  'redacted',
];
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** A listing line or a content type: printable, one line. */
const PRINTABLE = /^[\x20-\x7e\u00a0-\uffff]+$/;
const PATH_SEGMENT = /^[^/\x00-\x1f\x7f]+$/;

/**
 * Reads and checks a recording file.
 * @throws {ConfigError} listing every problem, each with the file, position and key path.
 * @example
 * ```ts
 * const recording = readRecordingFile('test/recording/fixtures/real-2016-09-02.yaml');
 * recording.versions.at(-1); // 'latest'
 * ```
 */
export function readRecordingFile(
  file: string,
  read: (path: string) => Uint8Array = readFileSync,
): Recording {
  let text: string;
  try {
    text = Buffer.from(read(file)).toString('utf8');
  } catch (error) {
    throw new ConfigError([
      {
        source: file,
        path: [],
        message: `cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      },
    ]);
  }
  return parseRecording(text, file);
}

/** Parses and checks a recording's text; `source` names it in errors. */
export function parseRecording(text: string, source: string): Recording {
  const yaml = parseYamlSource(text);
  const locate = (problems: readonly ConfigProblem[]): LocatedProblem[] =>
    problems.map((problem) => {
      const position =
        'position' in problem ? (problem as LocatedProblem).position : yaml.positionOf(problem.path);
      return { source, ...problem, ...(position ? { position } : {}) };
    });
  if (yaml.syntaxProblems.length > 0) throw new ConfigError(locate(yaml.syntaxProblems));
  const result = recordingFromData(yaml.data);
  if ('problems' in result) throw new ConfigError(locate(result.problems));
  return result.recording;
}

/** Checks parsed data; returns the recording or every problem found. */
export function recordingFromData(data: unknown): { recording: Recording } | { problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const problem = (path: KeyPath, message: string) => problems.push({ path, message });
  if (!isObject(data))
    return {
      problems: [{ path: [], message: `expected a recording (an object), got ${describeValue(data)}` }],
    };
  unknownKeys(data, TOP_KEYS, [], problem);
  if (data.format !== RECORDING_FORMAT)
    problem(['format'], `expected ${JSON.stringify(RECORDING_FORMAT)}, got ${describeValue(data.format)}`);

  const source: Record<string, string> = {};
  if (data.source !== undefined) {
    if (!isObject(data.source)) problem(['source'], `expected an object, got ${describeValue(data.source)}`);
    else {
      unknownKeys(data.source, SOURCE_KEYS, ['source'], problem);
      for (const key of SOURCE_KEYS) {
        const value = data.source[key];
        if (value === undefined) continue;
        if (typeof value === 'string') source[key] = value;
        else problem(['source', key], `expected text, got ${describeValue(value)}`);
      }
    }
  }
  const httpTokens = data.httpTokens;
  if (httpTokens !== undefined && httpTokens !== 'required' && httpTokens !== 'optional')
    problem(['httpTokens'], `expected "required" or "optional", got ${describeValue(httpTokens)}`);

  const versions: string[] = [];
  if (!Array.isArray(data.versions) || data.versions.length === 0)
    problem(
      ['versions'],
      `expected the list of versions the service listed, got ${describeValue(data.versions)}`,
    );
  else
    data.versions.forEach((version, index) => {
      if (typeof version !== 'string' || !PATH_SEGMENT.test(version) || version.length > 64)
        problem(
          ['versions', index],
          `expected a version name such as "latest", got ${describeValue(version)}`,
        );
      else if (versions.includes(version)) problem(['versions', index], `"${version}" is listed twice`);
      else versions.push(version);
    });

  const entries: RecordedEntry[] = [];
  if (!isObject(data.tree)) problem(['tree'], `expected an object of paths, got ${describeValue(data.tree)}`);
  else {
    for (const [path, value] of Object.entries(data.tree)) {
      const at: KeyPath = ['tree', path];
      const pathProblem = checkPath(path);
      if (pathProblem) {
        problem(at, pathProblem);
        continue;
      }
      if (isObject(value) && 'variants' in value) {
        unknownKeys(value, ['variants'], at, problem);
        if (!Array.isArray(value.variants) || value.variants.length === 0) {
          problem([...at, 'variants'], `expected a list of variants, got ${describeValue(value.variants)}`);
          continue;
        }
        value.variants.forEach((variant, index) => {
          const entry = entryOf(path, variant, false, [...at, 'variants', index], versions, problem);
          if (entry) entries.push(entry);
        });
      } else {
        const entry = entryOf(path, value, true, at, versions, problem);
        if (entry) entries.push(entry);
      }
    }
  }
  if (problems.length === 0) checkTree(entries, versions, problem);
  if (problems.length > 0) return { problems };
  return {
    recording: {
      source: source as RecordingSource,
      ...(httpTokens === 'required' || httpTokens === 'optional' ? { httpTokens } : {}),
      versions,
      entries,
    },
  };
}

function checkPath(path: string): string | undefined {
  if (path === ROOT_PATH) return undefined;
  const segments = path.replace(/\/$/, '').split('/');
  if (
    path.startsWith('/') ||
    segments.some((segment) => !PATH_SEGMENT.test(segment) || segment === '.' || segment === '..')
  )
    return 'not a path under a version (write meta-data/ami-id, or meta-data/placement/ for a directory)';
  return undefined;
}

function entryOf(
  path: string,
  value: unknown,
  shortForms: boolean,
  at: KeyPath,
  order: readonly string[],
  problem: (path: KeyPath, message: string) => void,
): RecordedEntry | undefined {
  const directory = path === ROOT_PATH || path.endsWith('/');
  if (shortForms && typeof value === 'string') {
    if (directory)
      return void problem(
        at,
        `a directory (the path ends in /) needs its listing, got ${describeValue(value)}`,
      );
    return {
      kind: 'leaf',
      path,
      body: new TextEncoder().encode(value),
      contentType: TEXT_PLAIN,
      versions: undefined,
    };
  }
  if (shortForms && Array.isArray(value)) {
    if (!directory) return void problem(at, 'a listing is for a directory: end the path with /');
    const listing = listingOf(value, at, problem);
    return listing && { kind: 'dir', path, listing, versions: undefined };
  }
  if (!isObject(value))
    return void problem(
      at,
      `expected ${directory ? 'a listing' : 'text'} or an object (text, base64, listing, omitted, missing), got ${describeValue(value)}${typeof value === 'number' || typeof value === 'boolean' ? ' (write text in quotes)' : ''}`,
    );
  unknownKeys(value, ENTRY_KEYS, at, problem);
  const versions = versionSetOf(value, at, order, problem);
  const kinds = ['text', 'base64', 'listing', 'missing', 'omitted'].filter((key) => value[key] !== undefined);
  if (kinds.length !== 1)
    return void problem(
      at,
      `expected exactly one of text, base64, listing, omitted, missing; got ${kinds.length === 0 ? 'none' : kinds.join(', ')}`,
    );
  const kind = kinds[0] as string;
  if (kind === 'missing') {
    if (value.missing !== true)
      return void problem([...at, 'missing'], `expected true, got ${describeValue(value.missing)}`);
    return { kind: 'missing', path, versions };
  }
  if (kind === 'listing') {
    if (!directory) return void problem(at, 'a listing is for a directory: end the path with /');
    const listing = Array.isArray(value.listing)
      ? listingOf(value.listing, [...at, 'listing'], problem)
      : void problem([...at, 'listing'], `expected a list of names, got ${describeValue(value.listing)}`);
    return listing && { kind: 'dir', path, listing, versions };
  }
  if (directory) return void problem(at, `a directory (the path ends in /) needs a listing, got ${kind}`);
  const contentType = value.contentType ?? TEXT_PLAIN;
  if (typeof contentType !== 'string' || !PRINTABLE.test(contentType))
    return void problem(
      [...at, 'contentType'],
      `expected a content type such as "text/plain", got ${describeValue(contentType)}`,
    );
  if (kind === 'omitted') {
    if (!OMITTED.includes(value.omitted as OmittedReason))
      return void problem(
        [...at, 'omitted'],
        `expected one of ${OMITTED.map((each) => JSON.stringify(each)).join(', ')}, got ${describeValue(value.omitted)}`,
      );
    const keys = value.keys;
    if (keys !== undefined && !(Array.isArray(keys) && keys.every((key) => typeof key === 'string')))
      return void problem([...at, 'keys'], `expected a list of key names, got ${describeValue(keys)}`);
    const size = value.size;
    if (size !== undefined && !(Number.isInteger(size) && (size as number) >= 0))
      return void problem([...at, 'size'], `expected a byte count, got ${describeValue(size)}`);
    return {
      kind: 'leaf',
      path,
      contentType,
      omitted: value.omitted as OmittedReason,
      ...(keys ? { keys: keys as string[] } : {}),
      ...(size !== undefined ? { size: size as number } : {}),
      versions,
    };
  }
  if (kind === 'text') {
    if (typeof value.text !== 'string')
      return void problem(
        [...at, 'text'],
        `expected text, got ${describeValue(value.text)}${typeof value.text === 'object' ? '' : ' (write text in quotes)'}`,
      );
    return { kind: 'leaf', path, body: new TextEncoder().encode(value.text), contentType, versions };
  }
  const base64 = value.base64;
  if (typeof base64 !== 'string' || base64.length % 4 !== 0 || !BASE64.test(base64))
    return void problem(
      [...at, 'base64'],
      `expected base64 text (A-Z, a-z, 0-9, +, /, = padding), got ${describeValue(base64)}`,
    );
  return { kind: 'leaf', path, body: new Uint8Array(Buffer.from(base64, 'base64')), contentType, versions };
}

function listingOf(
  value: readonly unknown[],
  at: KeyPath,
  problem: (path: KeyPath, message: string) => void,
): string[] | undefined {
  const lines: string[] = [];
  let ok = true;
  value.forEach((line, index) => {
    if (typeof line !== 'string' || !PRINTABLE.test(line)) {
      problem(
        [...at, index],
        `expected a name as the service lists it (one printable line), got ${describeValue(line)}`,
      );
      ok = false;
    } else lines.push(line);
  });
  return ok ? lines : undefined;
}

function versionSetOf(
  value: Record<string, unknown>,
  at: KeyPath,
  order: readonly string[],
  problem: (path: KeyPath, message: string) => void,
): VersionSet {
  const given = (['since', 'until', 'in'] as const).filter((key) => value[key] !== undefined);
  if (given.length > 1) {
    problem(at, `give one of since, until, in; got ${given.join(', ')}`);
    return undefined;
  }
  for (const key of ['since', 'until'] as const) {
    const version = value[key];
    if (version === undefined) continue;
    if (typeof version !== 'string' || !order.includes(version)) {
      problem([...at, key], `expected one of the recording's versions, got ${describeValue(version)}`);
      return undefined;
    }
    return key === 'since' ? { since: version } : { until: version };
  }
  if (value.in !== undefined) {
    if (!Array.isArray(value.in) || value.in.length === 0) {
      problem([...at, 'in'], `expected a list of the recording's versions, got ${describeValue(value.in)}`);
      return undefined;
    }
    value.in.forEach((version, index) => {
      if (typeof version !== 'string' || !order.includes(version))
        problem(
          [...at, 'in', index],
          `expected one of the recording's versions, got ${describeValue(version)}`,
        );
    });
    return { in: value.in as string[] };
  }
  return undefined;
}

/**
 * The tree's shape, version by version: each path has one variant per version, lives under a
 * directory that lists it, and every listed name has an entry (a cut-off file fails here).
 */
function checkTree(
  entries: readonly RecordedEntry[],
  order: readonly string[],
  problem: (path: KeyPath, message: string) => void,
): void {
  const reported = new Set<string>();
  const once = (path: KeyPath, message: string) => {
    const key = `${path.join('\u0000')}\u0000${message}`;
    if (reported.has(key)) return;
    reported.add(key);
    problem(path, message);
  };
  for (const version of order) {
    const here = new Map<string, RecordedEntry>();
    for (const entry of entries) {
      if (!inVersionSet(entry.versions, version, order)) continue;
      if (here.has(entry.path)) once(['tree', entry.path], `has two variants for version ${version}`);
      else here.set(entry.path, entry);
    }
    if (here.size === 0) continue;
    if (here.get(ROOT_PATH)?.kind !== 'dir')
      once(['tree'], `has no listing of the version root (key "/") for version ${version}`);
    for (const entry of here.values()) {
      if (entry.path === ROOT_PATH) continue;
      const parent = parentOf(entry.path);
      const parentEntry = here.get(parent);
      if (parentEntry?.kind === 'leaf' || here.get(parent.replace(/\/$/, ''))?.kind === 'leaf') {
        once(['tree', entry.path], `is under ${parent.replace(/\/$/, '')}, which is a leaf`);
        continue;
      }
      if (parentEntry?.kind !== 'dir') {
        once(['tree', entry.path], `has no directory entry for its parent ${parent} in version ${version}`);
        continue;
      }
      const listed = parentEntry.listing.some((line) => {
        const child = childOfListing(parent, line);
        return child !== undefined && childPath(parent, child) === entry.path;
      });
      if (!listed) once(['tree', entry.path], `is not in the listing of ${parent} in version ${version}`);
    }
    for (const entry of here.values()) {
      if (entry.kind !== 'dir') continue;
      entry.listing.forEach((line, index) => {
        const child = childOfListing(entry.path, line);
        if (!child) {
          once(['tree', entry.path, index], `lists ${JSON.stringify(line)}, which is not a child name`);
          return;
        }
        const path = childPath(entry.path, child);
        if (!here.has(path))
          once(
            ['tree', entry.path],
            `lists ${JSON.stringify(line)} but the tree has no entry ${JSON.stringify(path)} (is the file cut off?)`,
          );
      });
    }
  }
}

/** `meta-data/placement/region` -> `meta-data/placement/`; `meta-data/` -> `/`. */
export function parentOf(path: string): string {
  const trimmed = path.replace(/\/$/, '');
  const cut = trimmed.lastIndexOf('/');
  return cut < 0 ? ROOT_PATH : trimmed.slice(0, cut + 1);
}

function unknownKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  at: KeyPath,
  problem: (path: KeyPath, message: string) => void,
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const meant = suggest(key, known);
    problem(
      [...at, key],
      `is not a key of a recording${meant ? `; did you mean ${meant}?` : ''} (known: ${known.join(', ')})`,
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
