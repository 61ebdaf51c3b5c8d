/**
 * A recording served again: one tree per recorded version, with the recorded bytes, content types
 * and listing order, and three things made live:
 *
 * - role and identity credentials are the emulator's own, rotating as they do for a described
 *   instance, under the recorded role name;
 * - the identity signatures are made with the emulator's key over the recorded document;
 * - whatever scenarios, faults' state edits, `set`/`remove`, metadata options (tags disabled) and
 *   the control API change about the instance shows up: the emulator builds the tree of the
 *   instance derived from the recording and the tree of the instance as it is now, and their
 *   difference is applied to the recorded trees.
 *
 * Leaves left out when recording (user data not included, `--redact`) are not served and are left
 * out of their directory's listing. Paths the instance listed but answered 404 for stay in the
 * listing, in their recorded place, and answer 404 (an absent leaf), as the instance did.
 */
import { buildTree, type BuildContext } from '../metadata/build-tree.js';
import { DEFAULT_INSTANCE } from '../metadata/default-instance.js';
import type { SignatureKind } from '../metadata/identity-signer.js';
import type { InstanceDescription } from '../metadata/instance.js';
import {
  absentLeaf,
  dir,
  lazyLeaf,
  leaf,
  lookup,
  withoutNode,
  type Directory,
  type Leaf,
  type MetadataNode,
} from '../metadata/tree.js';
import type { TreeSource } from '../server/tree-source.js';
import { LATEST } from '../wire.js';
import {
  childOfListing,
  childPath,
  inVersionSet,
  ROOT_PATH,
  type RecordedEntry,
  type RecordedLeaf,
  type Recording,
} from './format.js';

const utf8 = new TextDecoder();
const IDENTITY = ['dynamic', 'instance-identity'];
/** Where the instance's tags are served; gone, listing line and all, while `InstanceMetadataTags` is disabled. */
const TAGS = ['meta-data', 'tags'];
/** How each signature leaf is made; `dsa2048` is the `pkcs7` message, as the built tree serves it. */
const SIGNATURE_KINDS: Readonly<Record<string, SignatureKind>> = {
  signature: 'signature',
  pkcs7: 'pkcs7',
  rsa2048: 'rsa2048',
  dsa2048: 'pkcs7',
};

/** A recording as the emulator serves it. */
export interface Replay {
  readonly source: TreeSource;
  /** The instance the recording shows (ids, region, role...), for scenarios, tokens and `Last-Modified`. */
  readonly instance: InstanceDescription;
  /** The observed `HttpTokens`, when the recording has it. */
  readonly httpTokens?: 'required' | 'optional';
}

/**
 * Prepares a recording for serving.
 * @example
 * ```ts
 * const replay = replayOf(readRecordingFile('instance.yaml'));
 * const emulator = new Emulator({ instance: replay.instance, treeSource: replay.source });
 * ```
 */
export function replayOf(recording: Recording): Replay {
  const versions = recording.versions;
  const recorded = new Map<string, Directory>();
  const generated = new Map<string, readonly RecordedLeaf[]>();
  for (const version of versions) {
    const here = new Map<string, RecordedEntry>();
    for (const entry of recording.entries)
      if (inVersionSet(entry.versions, version, versions)) here.set(entry.path, entry);
    if (!here.has(ROOT_PATH)) continue;
    recorded.set(version, directoryOf(ROOT_PATH, here));
    generated.set(
      version,
      [...here.values()].filter(
        (entry): entry is RecordedLeaf =>
          entry.kind === 'leaf' &&
          (entry.omitted === 'role credentials' ||
            entry.omitted === 'identity credentials' ||
            entry.omitted === 'identity signature'),
      ),
    );
  }
  const pristine = instanceOf(recording);

  /**
   * The trees of the instance now and of the recorded one, and the versions served from them so
   * far; rebuilt for another instance, time window or emulator (a replay may serve several).
   */
  let live:
    | {
        context: BuildContext;
        instance: InstanceDescription;
        builtAt: number;
        validUntil: number;
        current: Directory;
        base: Directory;
        trees: Map<string, Directory>;
      }
    | undefined;
  const source: TreeSource = {
    versions,
    treeAt(instance, version, now, context) {
      const tree = recorded.get(version);
      if (!tree) return undefined;
      if (
        !live ||
        live.instance !== instance ||
        live.context.secret !== context.secret ||
        live.context.signer !== context.signer ||
        now >= live.validUntil ||
        now < live.builtAt
      ) {
        const current = buildTree(instance, context, now);
        const base = buildTree(
          { ...pristine, credentialRotation: instance.credentialRotation },
          context,
          now,
        );
        live = {
          context,
          instance,
          builtAt: current.builtAt,
          validUntil: current.validUntil,
          current: current.root,
          base: base.root,
          trees: new Map(),
        };
      }
      let served = live.trees.get(version);
      if (!served) {
        // Tags are a setting of the instance, not a fact of the recording: with them disabled, the
        // service answers 404 however they were recorded (set/remove still apply on top).
        const recordedTree =
          instance.metadataOptions?.instanceMetadataTags === 'disabled' ? withoutNode(tree, TAGS) : tree;
        served = applyDifference(
          liveLeaves(
            recordedTree,
            generated.get(version) ?? [],
            live.current,
            context,
            instance.services.partition,
          ),
          live.base,
          live.current,
        );
        live.trees.set(version, served);
      }
      return served;
    },
  };
  return {
    source,
    instance: pristine,
    ...(recording.httpTokens ? { httpTokens: recording.httpTokens } : {}),
  };
}

/** A recorded directory as a tree node: children in listing order, each listed exactly as recorded. */
function directoryOf(path: string, here: ReadonlyMap<string, RecordedEntry>): Directory {
  const entry = here.get(path);
  const children: [string, MetadataNode | undefined][] = [];
  const listedAs = new Map<string, string>();
  if (entry?.kind === 'dir') {
    for (const line of entry.listing) {
      const child = childOfListing(path, line);
      if (!child) continue;
      const target = here.get(childPath(path, child));
      let node: MetadataNode | undefined;
      if (target?.kind === 'dir') node = directoryOf(target.path, here);
      else if (target?.kind === 'leaf') node = leafOf(target);
      else if (target?.kind === 'missing') node = absentLeaf();
      if (!node) continue;
      children.push([child.segment, node]);
      listedAs.set(child.segment, line);
    }
  }
  return dir(children, '1.0', { listedAs });
}

/** The recorded bytes; a placeholder for what the emulator generates; nothing for what was left out. */
function leafOf(entry: RecordedLeaf): Leaf | undefined {
  if (entry.body) return leaf(entry.body, '1.0', entry.contentType);
  if (entry.omitted === 'user data' || entry.omitted === 'redacted') return undefined;
  return leaf('', '1.0', entry.contentType);
}

/** Puts the emulator's credentials and signatures where the recording has placeholders. */
function liveLeaves(
  tree: Directory,
  placeholders: readonly RecordedLeaf[],
  built: Directory,
  context: BuildContext,
  partition: string,
): Directory {
  let served = tree;
  const document = lookup(tree, [...IDENTITY, 'document'], LATEST);
  const documentText = document?.kind === 'leaf' ? utf8.decode(document.body) : undefined;
  for (const entry of placeholders) {
    const segments = entry.path.split('/');
    let node: MetadataNode | undefined;
    if (entry.omitted === 'identity signature') {
      const kind = SIGNATURE_KINDS[segments.at(-1) as string];
      if (documentText !== undefined && kind)
        node = lazyLeaf(() => context.signer.sign(documentText, kind, partition), '1.0', entry.contentType);
    } else {
      const generatedLeaf = lookup(built, segments, LATEST);
      if (generatedLeaf?.kind === 'leaf')
        node = { ...generatedLeaf, since: '1.0', contentType: entry.contentType };
    }
    served = node ? withNode(served, segments, node) : withoutNode(served, segments);
  }
  return served;
}

/**
 * Applies to `served` what differs between the tree of the recorded instance (`base`) and the
 * tree of the instance now (`current`): a spot notice, a `set` path, a removed category. The
 * identity document and its signatures are the recording's and are left alone.
 */
export function applyDifference(served: Directory, base: Directory, current: Directory): Directory {
  let result = served;
  const walk = (from: Directory, to: Directory, segments: string[]): void => {
    if (segments.join('/') === IDENTITY.join('/')) return;
    for (const [name, next] of to.children) {
      const before = from.children.get(name);
      const at = [...segments, name];
      if (before?.kind === 'dir' && next.kind === 'dir') walk(before, next, at);
      else if (!before || !sameNode(before, next)) result = withNode(result, at, next);
    }
    for (const name of from.children.keys())
      if (!to.children.has(name)) result = withoutNode(result, [...segments, name]);
  };
  walk(base, current, []);
  return result;
}

function sameNode(a: MetadataNode, b: MetadataNode): boolean {
  if (a.kind !== 'leaf' || b.kind !== 'leaf') return false;
  return a.contentType === b.contentType && Buffer.from(a.body).equals(Buffer.from(b.body));
}

/** A copy of `root` with `node` at `segments`; missing directories are created (listed after the others). */
function withNode(root: Directory, segments: readonly string[], node: MetadataNode): Directory {
  const [head, ...rest] = segments;
  if (head === undefined) return root;
  const children = new Map(root.children);
  if (rest.length === 0) children.set(head, node);
  else {
    const existing = children.get(head);
    children.set(head, withNode(existing?.kind === 'dir' ? existing : dir([], node.since), rest, node));
  }
  return { ...root, children };
}

/**
 * The instance a recording shows, as far as it says (ids, type, region, zone, account, launch
 * time, role, identity credentials); the rest is the built-in instance's. Nothing live is on it:
 * no spot notice, events, tags, user data or overrides, so scenarios start from a quiet instance.
 */
export function instanceOf(recording: Recording): InstanceDescription {
  const latest = recording.versions.includes(LATEST) ? LATEST : (recording.versions.at(-1) as string);
  const here = new Map<string, RecordedEntry>();
  for (const entry of recording.entries)
    if (inVersionSet(entry.versions, latest, recording.versions)) here.set(entry.path, entry);
  const text = (path: string): string | undefined => {
    const entry = here.get(path);
    return entry?.kind === 'leaf' && entry.body ? utf8.decode(entry.body).trim() : undefined;
  };
  const json = (path: string): Record<string, unknown> => {
    try {
      const value: unknown = JSON.parse(text(path) ?? '');
      return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  const document = json('dynamic/instance-identity/document');
  const info = json('meta-data/iam/info');
  const roles = here.get('meta-data/iam/security-credentials/');
  const roleLine = roles?.kind === 'dir' ? roles.listing[0] : undefined;
  const roleName = roleLine?.replace(/\/$/, '');
  const str = (value: unknown): string | undefined =>
    typeof value === 'string' && value !== '' ? value : undefined;
  const launchTime = Date.parse(str(document.pendingTime) ?? '');
  const architecture = str(document.architecture);
  const {
    iam: _iam,
    tags: _tags,
    userData: _userData,
    spotNotice: _spot,
    rebalanceNoticeTime: _rebalance,
    targetLifecycleState: _target,
    overrides: _overrides,
    ...rest
  } = DEFAULT_INSTANCE;
  const iam =
    roleName === undefined
      ? undefined
      : {
          roleName,
          instanceProfileArn: str(info.InstanceProfileArn) ?? '',
          instanceProfileId: str(info.InstanceProfileId) ?? '',
        };
  return {
    ...rest,
    instanceId: text('meta-data/instance-id') ?? str(document.instanceId) ?? DEFAULT_INSTANCE.instanceId,
    instanceType:
      text('meta-data/instance-type') ?? str(document.instanceType) ?? DEFAULT_INSTANCE.instanceType,
    amiId: text('meta-data/ami-id') ?? str(document.imageId) ?? DEFAULT_INSTANCE.amiId,
    accountId: str(document.accountId) ?? DEFAULT_INSTANCE.accountId,
    region: text('meta-data/placement/region') ?? str(document.region) ?? DEFAULT_INSTANCE.region,
    availabilityZone:
      text('meta-data/placement/availability-zone') ??
      str(document.availabilityZone) ??
      DEFAULT_INSTANCE.availabilityZone,
    ...(Number.isFinite(launchTime) ? { launchTime } : {}),
    ...(architecture === 'x86_64' || architecture === 'arm64' || architecture === 'i386'
      ? { architecture }
      : {}),
    ...(iam ? { iam } : {}),
    identityCredentials: here.has('meta-data/identity-credentials/ec2/security-credentials/ec2-instance'),
    maintenanceEvents: [],
  };
}
