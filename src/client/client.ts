/**
 * `ImdsClient`: reads instance metadata the way the AWS SDKs agree on (IMDSv2 session tokens,
 * IMDSv1 fallback on 403/404/405 or a token timeout, retries with backoff), with bounded time
 * and typed errors. No runtime dependency.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
 */
import { resolveImdsConfig, type ImdsConfig, type ImdsConfigOptions } from './config.js';
import { parseIamCredentials, type IamCredentials } from './credentials.js';
import { dumpTree, type DumpOptions, type DumpTree } from './dump.js';
import { ImdsDisabledError, ImdsNotFoundError } from './errors.js';
import {
  EVENT_PATHS,
  parseRebalanceRecommendation,
  parseScheduledEvents,
  parseSpotInstanceAction,
  type RebalanceRecommendation,
  type ScheduledEvent,
  type SpotInstanceAction,
} from './events.js';
import type { V1Fallback, V1FallbackListener } from './fallback.js';
import { socketTransport } from './socket-transport.js';
import { parseIdentityDocument, type IdentityDocument } from './identity-document.js';
import { directoryPath, metadataPath } from './paths.js';
import { ImdsSession } from './session.js';
import type { TokenClock } from './token-cache.js';
import type { Transport } from './transport.js';
import { TOKEN_PATH } from '../wire.js';

/** Settings (see {@link ImdsConfigOptions}) and the seams tests and embedders use. */
export interface ImdsClientOptions extends ImdsConfigOptions {
  /** Where the `AWS_*` variables are read from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Sends each HTTP exchange. Default {@link socketTransport} (`node:net`; `node:http` for https). */
  transport?: Transport;
  /** Time for token expiry only (timeouts use the monotonic clock). Default `Date.now`. */
  clock?: TokenClock;
  /** Source of backoff jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Called each time the client falls back to IMDSv1. */
  onV1Fallback?: V1FallbackListener;
}

const utf8 = new TextDecoder();
const systemClock: TokenClock = { now: () => Date.now() };

/**
 * A metadata client. Create one and keep it: it caches its session token.
 * @example
 * ```ts
 * import { ImdsClient } from 'ec2-imds/client';
 * const imds = new ImdsClient({ endpoint: 'http://127.0.0.1:1338' });
 * console.log(await imds.instanceId(), await imds.region());
 * if (imds.lastV1Fallback) console.warn('IMDSv1 was used:', imds.lastV1Fallback);
 * ```
 * @throws {ImdsConfigError} from the constructor when an option or `AWS_*` variable is invalid.
 */
export class ImdsClient {
  /**
   * The resolved settings (no secrets in them): endpoint, timeouts, attempts, fallback policy.
   * @example
   * ```ts
   * new ImdsClient({ endpoint: 'http://127.0.0.1:1338' }).config.endpoint; // 'http://127.0.0.1:1338'
   * ```
   * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-client.html
   */
  readonly config: ImdsConfig;
  readonly #session: ImdsSession;

  constructor(options: ImdsClientOptions = {}) {
    this.config = resolveImdsConfig(options, options.env ?? process.env);
    this.#session = new ImdsSession(this.config, {
      transport: options.transport ?? socketTransport,
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
      onV1Fallback: options.onV1Fallback,
    });
  }

  /**
   * The most recent fallback to IMDSv1 (kept after the client goes back to tokens), if any.
   * @example
   * ```ts
   * await imds.instanceId();
   * if (imds.lastV1Fallback) console.warn('read without a token:', imds.lastV1Fallback.reason);
   * ```
   * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-imds-client.html
   */
  get lastV1Fallback(): V1Fallback | undefined {
    return this.#session.lastV1Fallback;
  }

  /**
   * True while the client reads without a token (after a fallback to IMDSv1).
   * @example
   * ```ts
   * if (imds.usingV1) console.warn('IMDSv1 in use');
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html
   */
  get usingV1(): boolean {
    return this.#session.usingV1;
  }

  /**
   * A metadata value as text. `path` is relative to `/latest/meta-data/` (`placement/region`);
   * `user-data` and `dynamic/...` are under `/latest/`; a path starting with `/` is taken as is.
   * @throws {ImdsNotFoundError} when the path does not exist.
   * @example
   * ```ts
   * await imds.get('placement/availability-zone'); // 'ap-northeast-1a'
   * await imds.get('/latest/dynamic/instance-identity/document');
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
   */
  async get(path: string): Promise<string> {
    return utf8.decode(await this.getBytes(path));
  }

  /**
   * A metadata value as bytes, exactly as served (user data may be binary).
   * @example
   * ```ts
   * const bytes = await imds.getBytes('user-data');
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
   */
  async getBytes(path: string): Promise<Uint8Array> {
    const requestPath = metadataPath(path);
    if (this.config.disabled) throw new ImdsDisabledError(requestPath);
    return (await this.#session.read(requestPath)).body;
  }

  /**
   * A directory's entries as listed; subdirectories end in `/`. `list()` lists `meta-data/`.
   * @example
   * ```ts
   * await imds.list('placement/'); // ['availability-zone', 'availability-zone-id', 'group-name', ...]
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
   */
  async list(path = ''): Promise<string[]> {
    const requestPath = directoryPath(path);
    if (this.config.disabled) throw new ImdsDisabledError(requestPath);
    const text = utf8.decode((await this.#session.read(requestPath)).body);
    return text.split('\n').filter((line) => line !== '');
  }

  /**
   * A session token (the cached one while fresh); never falls back to IMDSv1.
   * @example
   * ```ts
   * const token = await imds.token(); // for another tool: X-aws-ec2-metadata-token: <token>
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-v2-how-it-works.html
   */
  async token(): Promise<string> {
    if (this.config.disabled) throw new ImdsDisabledError(TOKEN_PATH);
    return this.#session.token();
  }

  /**
   * The instance id (`meta-data/instance-id`).
   * @example
   * ```ts
   * await imds.instanceId(); // 'i-0410f3c9b2d5e8a71'
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
   */
  instanceId(): Promise<string> {
    return this.get('instance-id');
  }

  /**
   * The instance's region (`meta-data/placement/region`).
   * @example
   * ```ts
   * await imds.region(); // 'ap-northeast-1'
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
   */
  region(): Promise<string> {
    return this.get('placement/region');
  }

  /**
   * The instance's Availability Zone (`meta-data/placement/availability-zone`).
   * @example
   * ```ts
   * await imds.availabilityZone(); // 'ap-northeast-1a'
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
   */
  availabilityZone(): Promise<string> {
    return this.get('placement/availability-zone');
  }

  /**
   * The instance type (`meta-data/instance-type`).
   * @example
   * ```ts
   * await imds.instanceType(); // 't3.micro'
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
   */
  instanceType(): Promise<string> {
    return this.get('instance-type');
  }

  /**
   * The instance identity document, parsed (its signature is not checked here).
   * @example
   * ```ts
   * const { accountId, region } = await imds.identityDocument();
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-identity-documents.html
   */
  async identityDocument(): Promise<IdentityDocument> {
    const path = metadataPath('dynamic/instance-identity/document');
    return parseIdentityDocument(await this.get(path), path);
  }

  /**
   * The role's temporary credentials, with `expiration` as a `Date`.
   * @param roleName the role; default the one the instance lists.
   * @throws {ImdsNotFoundError} when the instance has no role.
   * @example
   * ```ts
   * const { accessKeyId, expiration } = await imds.iamCredentials();
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html#instance-metadata-security-credentials
   */
  async iamCredentials(roleName?: string): Promise<IamCredentials> {
    const role = roleName ?? (await this.list('iam/security-credentials/'))[0];
    const path = metadataPath(`iam/security-credentials/${role ?? ''}`);
    if (role === undefined) throw new ImdsNotFoundError(path);
    return parseIamCredentials(await this.get(path), path, role);
  }

  /**
   * User data, byte for byte; null when the instance has none.
   * @example
   * ```ts
   * const script = await imds.userData();
   * if (script) console.log(new TextDecoder().decode(script));
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html
   */
  userData(): Promise<Uint8Array | null> {
    return orNull(this.getBytes('user-data'));
  }

  /**
   * Instance tags (key → value); null when metadata tags are not enabled.
   * @example
   * ```ts
   * (await imds.tags())?.Name; // 'web-1'
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/work-with-tags-in-IMDS.html
   */
  async tags(): Promise<Record<string, string> | null> {
    const keys = await orNull(this.list('tags/instance/'));
    if (keys === null) return null;
    const values = await Promise.all(keys.map((key) => this.get(`tags/instance/${key}`)));
    return Object.fromEntries(keys.map((key, index) => [key, values[index] as string]));
  }

  /**
   * The spot interruption notice; null until one is issued.
   * @example
   * ```ts
   * const notice = await imds.spotInstanceAction();
   * if (notice) console.log(notice.action, 'at', notice.time);
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html
   */
  spotInstanceAction(): Promise<SpotInstanceAction | null> {
    return this.#parsedOrNull(EVENT_PATHS.spotInstanceAction, parseSpotInstanceAction);
  }

  /**
   * The rebalance recommendation; null until one is issued.
   * @example
   * ```ts
   * const recommendation = await imds.rebalanceRecommendation(); // { noticeTime: Date } | null
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/rebalance-recommendations.html
   */
  rebalanceRecommendation(): Promise<RebalanceRecommendation | null> {
    return this.#parsedOrNull(EVENT_PATHS.rebalanceRecommendation, parseRebalanceRecommendation);
  }

  /**
   * Scheduled maintenance events (an empty array when none is scheduled); null when the category is absent.
   * @example
   * ```ts
   * for (const event of (await imds.scheduledEvents()) ?? []) console.log(event.code, event.notBefore);
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-instances-status-check_sched.html
   */
  scheduledEvents(): Promise<ScheduledEvent[] | null> {
    return this.#parsedOrNull(EVENT_PATHS.scheduledEvents, parseScheduledEvents);
  }

  /**
   * The Auto Scaling target lifecycle state (`InService`, `Terminated`...); null outside an Auto Scaling group.
   * @example
   * ```ts
   * if ((await imds.targetLifecycleState()) === 'Terminated') await drain();
   * ```
   * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/retrieving-target-lifecycle-state-through-imds.html
   */
  targetLifecycleState(): Promise<string | null> {
    return orNull(this.get(EVENT_PATHS.targetLifecycleState));
  }

  /**
   * The whole tree under `/latest/` as nested JSON; see {@link dumpTree}.
   * @example
   * ```ts
   * const tree = await imds.dump();
   * console.log(tree['meta-data']);
   * ```
   * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html
   */
  dump(options: DumpOptions = {}): Promise<DumpTree> {
    return dumpTree({ list: (path) => this.list(path), getBytes: (path) => this.getBytes(path) }, options);
  }

  async #parsedOrNull<T>(name: string, parse: (text: string, path: string) => T): Promise<T | null> {
    const text = await orNull(this.get(name));
    return text === null ? null : parse(text, metadataPath(name));
  }
}

async function orNull<T>(value: Promise<T>): Promise<T | null> {
  try {
    return await value;
  } catch (error) {
    if (error instanceof ImdsNotFoundError) return null;
    throw error;
  }
}
