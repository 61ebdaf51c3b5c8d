/**
 * A recording as a file: one document keyed by path, so a change on the instance is a one-line
 * diff. A leaf that is `text/plain` in every version is just its text; a directory in every
 * version is its listing; anything else is an object (`text` or `base64`, `contentType`, `since`,
 * `until` or `in`, `omitted`, `missing`). See docs/recording.md for the whole grammar.
 */
import { loadOnFirstUse } from '../load-on-first-use.js';
import { TEXT_PLAIN } from '../metadata/tree.js';
import { RECORDING_FORMAT, type RecordedEntry, type Recording, type VersionSet } from './format.js';

/** `yaml` only when a YAML file is written (JSON recordings never load it). */
const yaml = loadOnFirstUse<typeof import('yaml')>('yaml');

/** The JSON-compatible value one entry (or one variant) is written as. */
type EntryValue = string | readonly string[] | Record<string, unknown>;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** Text that survives YAML and JSON unchanged and reads well: no control characters but tab and LF. */
const PLAIN_TEXT = /^[^\x00-\x08\x0b-\x1f\x7f\u2028\u2029\ufeff]*$/;

/** The data written for a recording (YAML and JSON files hold the same data). */
export function recordingData(recording: Recording): Record<string, unknown> {
  const tree: Record<string, EntryValue> = {};
  const byPath = new Map<string, RecordedEntry[]>();
  for (const entry of recording.entries) {
    const list = byPath.get(entry.path);
    if (list) list.push(entry);
    else byPath.set(entry.path, [entry]);
  }
  for (const [path, variants] of byPath) {
    tree[path] =
      variants.length === 1
        ? entryValue(variants[0] as RecordedEntry, true)
        : { variants: variants.map((variant) => entryValue(variant, false)) };
  }
  return {
    format: RECORDING_FORMAT,
    source: recording.source,
    ...(recording.httpTokens ? { httpTokens: recording.httpTokens } : {}),
    versions: recording.versions,
    tree,
  };
}

/**
 * The file's text: YAML (a header comment, block style) or, for `json`, two-space JSON.
 * @example
 * ```ts
 * writeFileSync('instance.yaml', formatRecording(await crawl(reader, options), 'yaml'));
 * ```
 */
export function formatRecording(recording: Recording, as: 'yaml' | 'json'): string {
  const data = recordingData(recording);
  if (as === 'json') return `${JSON.stringify(data, null, 2)}\n`;
  const header =
    '# An EC2 instance metadata recording: imds serve --from <this file> serves it again.\n' +
    '# Keys under tree: are paths under a version; see docs/recording.md.\n';
  return (
    header + yaml().stringify(data, { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false })
  );
}

function entryValue(entry: RecordedEntry, shortForms: boolean): EntryValue {
  const versions = versionKeys(entry.versions);
  if (entry.kind === 'missing') return { missing: true, ...versions };
  if (entry.kind === 'dir') {
    if (shortForms && entry.versions === undefined) return entry.listing;
    return { listing: entry.listing, ...versions };
  }
  const contentType = entry.contentType === TEXT_PLAIN ? {} : { contentType: entry.contentType };
  if (entry.omitted !== undefined) {
    return {
      omitted: entry.omitted,
      ...(entry.keys ? { keys: entry.keys } : {}),
      ...(entry.size !== undefined ? { size: entry.size } : {}),
      ...contentType,
      ...versions,
    };
  }
  const body = entry.body ?? new Uint8Array();
  const text = textOf(body);
  if (text !== undefined && shortForms && entry.versions === undefined && entry.contentType === TEXT_PLAIN)
    return text;
  return {
    ...(text === undefined ? { base64: Buffer.from(body).toString('base64') } : { text }),
    ...contentType,
    ...versions,
  };
}

/** The bytes as text when they are UTF-8 without control characters, else undefined (written as base64). */
export function textOf(body: Uint8Array): string | undefined {
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    return undefined;
  }
  return PLAIN_TEXT.test(text) ? text : undefined;
}

function versionKeys(set: VersionSet): Record<string, unknown> {
  if (set === undefined) return {};
  if ('since' in set) return { since: set.since };
  return 'until' in set ? { until: set.until } : { in: set.in };
}
