import { randomBytes, randomInt } from 'node:crypto';
import type { Attributor } from '../audit/attributor.js';
import { systemClock, type Clock } from '../clock.js';
import { buildTree, type BuiltTree } from '../metadata/build-tree.js';
import { DEFAULT_INSTANCE } from '../metadata/default-instance.js';
import { createIdentitySigner, type IdentitySigner } from '../metadata/identity-signer.js';
import type { InstanceDescription } from '../metadata/instance.js';
import {
  createInstanceConnectSigner,
  type InstanceConnectSigner,
} from '../metadata/instance-connect-signer.js';
import type { Directory } from '../metadata/tree.js';
import { FaultInjector } from '../scenarios/faults/fault-injector.js';
import { scenarioStatus } from '../scenarios/scenario.js';
import type { ServiceState } from '../scenarios/service-state.js';
import type { ScenarioSpec } from '../scenarios/spec.js';
import { Timeline } from '../scenarios/timeline.js';
import { MAX_VALUES, ScenarioError } from '../scenarios/scenario-error.js';
import { canonicalTreePath } from '../scenarios/tree-value.js';
import { LATEST, type HttpEndpoint, type HttpTokens } from '../wire.js';
import { applyFaults } from './apply-faults.js';
import { isNoResponse, type HandlerOutcome, type ImdsRequest } from './exchange.js';
import { handleRequest, versionsOf, type ServedVersions } from './handler.js';
import { createHttpDateFormatter } from './http-date.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';
import { createTokenIssuer, type TokenIssuer } from './tokens.js';
import type { TreeSource } from './tree-source.js';

/** How to create an {@link Emulator}; everything has a default. */
export interface EmulatorOptions {
  /** The instance to serve; the seed's instance by default. */
  instance?: InstanceDescription;
  /** `required` (IMDSv2 only, the default) or `optional` (IMDSv1 allowed). */
  httpTokens?: HttpTokens;
  httpEndpoint?: HttpEndpoint;
  clock?: Clock;
  /** The identity-document signing key and certificate (PEM); generated when absent. */
  identity?: { keyPem?: string; certificatePem?: string };
  /**
   * A signer to use instead of making one from `identity`: a fleet shares one, since generating a
   * key is slow and real instances of one region are signed by one AWS key too.
   */
  signer?: IdentitySigner;
  /** The EC2 Instance Connect signer (a fleet shares one, as it shares {@link signer}); made here when absent. */
  instanceConnect?: InstanceConnectSigner;
  /** How many recent requests the log keeps. */
  requestLogCapacity?: number;
  /**
   * Scenarios and faults; their relative moments count from the emulator's creation (and again
   * from each {@link Emulator.reset}).
   */
  scenarios?: readonly ScenarioSpec[];
  /**
   * When the scenarios' relative moments count from (epoch ms); the creation time by default. A
   * fleet creates its emulators on first use and anchors them all at the fleet's start.
   */
  anchor?: number;
  /**
   * Called with each tree built, returns the tree to serve: a fleet passes one that replaces
   * parts identical to another instance's tree by that tree's parts, so N trees share memory.
   */
  shareTree?: (root: Directory) => Directory;
  /** Seed of the fault randomness (error rates), for repeatable runs; random when absent. */
  seed?: number;
  /**
   * Called with each request as logged (tokens masked), after it is answered and its caller looked
   * up (when attribution is on): `imds serve` prints its request lines from here. A listener that
   * throws does not fail the request.
   */
  onRequest?: (entry: RequestLogEntry) => void;
  /**
   * Finds the process behind each socket request (Linux `/proc`); the result lands in the log
   * entry's `caller`. Off when absent.
   */
  attribution?: Attributor;
  /** Serve trees from this source (a replayed recording) instead of building them from the instance. */
  treeSource?: TreeSource;
}

/**
 * One emulated metadata service: an instance, its settings, its scenarios and faults, a token
 * secret from a CSPRNG, a signing key, a clock and a request log, all on this object (nothing is
 * module-global, so several emulators in one process stay isolated). {@link Emulator.handle} is
 * the `RequestHandler` the socket front serves.
 *
 * What is served at a moment is the base state (instance and settings, as configured and edited
 * at run time) with the {@link timeline}'s scenarios applied at that moment.
 */
export class Emulator {
  readonly clock: Clock;
  readonly requests: RequestLog;
  readonly signer: IdentitySigner;
  /** Signs keys pushed with EC2 Instance Connect; its certificates are made on first read. */
  readonly instanceConnect: InstanceConnectSigner;
  /** The scenarios and faults, as functions of the clock. */
  readonly timeline = new Timeline();
  readonly #faults: FaultInjector;
  #baseState: ServiceState;
  /**
   * Values set since the base state was last built, as an ordered map: `setValue` edits it in
   * O(1), and the base state is rebuilt from it once, on the next read (see {@link #base}).
   */
  #pendingValues: Map<string, string | null> | undefined;
  readonly #initial: { readonly base: ServiceState; readonly scenarios: readonly ScenarioSpec[] };
  readonly #secret = randomBytes(32);
  readonly #tokens: TokenIssuer = createTokenIssuer(this.#secret);
  readonly #httpDate = createHttpDateFormatter();
  #built: { instance: InstanceDescription; tree: BuiltTree } | undefined;
  #lastModified: string;
  readonly #shareTree: ((root: Directory) => Directory) | undefined;
  readonly #attribution: Attributor | undefined;
  readonly #listeners = new Set<(entry: RequestLogEntry) => void>();
  readonly #treeSource: TreeSource | undefined;
  /** The versions a replayed recording serves (the service's own otherwise). */
  readonly #versions: ServedVersions | undefined;

  constructor(options: EmulatorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.#baseState = {
      instance: options.instance ?? DEFAULT_INSTANCE,
      httpTokens: options.httpTokens ?? 'required',
      httpEndpoint: options.httpEndpoint ?? 'enabled',
      faults: [],
    };
    this.#initial = { base: this.#base, scenarios: [...(options.scenarios ?? [])] };
    this.#faults = new FaultInjector(options.seed ?? randomInt(2 ** 32));
    this.signer = options.signer ?? createIdentitySigner(options.identity);
    this.instanceConnect = options.instanceConnect ?? createInstanceConnectSigner();
    this.#shareTree = options.shareTree;
    this.requests = new RequestLog(options.requestLogCapacity);
    this.#attribution = options.attribution;
    if (options.onRequest) this.#listeners.add(options.onRequest);
    this.#lastModified = this.#httpDate(this.#base.instance.launchTime);
    this.#treeSource = options.treeSource;
    const anchor = options.anchor ?? this.clock.now();
    for (const spec of this.#initial.scenarios) this.timeline.add(spec, anchor);
    this.#versions = options.treeSource ? versionsOf(options.treeSource.versions) : undefined;
    this.handle = this.handle.bind(this);
  }

  /** How attribution went so far (resolved, exited, skipped...), when it is on. */
  get attributionStats(): Attributor['stats'] | undefined {
    return this.#attribution?.stats;
  }

  /** The base state, with values set since the last read folded in (one copy per change, not per value). */
  get #base(): ServiceState {
    const pending = this.#pendingValues;
    if (pending) {
      this.#pendingValues = undefined;
      this.#baseState = {
        ...this.#baseState,
        instance: { ...this.#baseState.instance, overrides: Object.fromEntries(pending) },
      };
    }
    return this.#baseState;
  }

  set #base(state: ServiceState) {
    this.#pendingValues = undefined;
    this.#baseState = state;
  }

  /** The base instance (as configured or last set), before scenarios. */
  get instance(): InstanceDescription {
    return this.#base.instance;
  }

  /** Replaces the base instance; tokens issued for another instance id stop working. */
  setInstance(instance: InstanceDescription): void {
    this.#base = { ...this.#base, instance };
    this.#lastModified = this.#httpDate(instance.launchTime);
  }

  /** The base `HttpTokens` (as configured or last set); a `http-tokens` scenario may override it at times. */
  get httpTokens(): HttpTokens {
    return this.#base.httpTokens;
  }

  /** Sets `HttpTokens` from now on; `http-tokens` scenarios already due are superseded (removed). */
  setHttpTokens(mode: HttpTokens): void {
    this.#base = { ...this.#base, httpTokens: mode };
    const now = this.clock.now();
    this.timeline.removeWhere(
      (scenario) => scenario.spec.type === 'http-tokens' && scenarioStatus(scenario, now) !== 'pending',
    );
  }

  get httpEndpoint(): HttpEndpoint {
    return this.#base.httpEndpoint;
  }

  setHttpEndpoint(mode: HttpEndpoint): void {
    this.#base = { ...this.#base, httpEndpoint: mode };
  }

  /**
   * Sets (a string) or removes (`null`) a path of the tree under `/latest/` from now on
   * (`meta-data/tags/instance/Name`); timed edits of the same path already due are superseded.
   */
  setValue(path: string, value: string | null): void {
    const key = canonicalTreePath(path);
    const values = (this.#pendingValues ??= new Map(
      Object.entries(this.#baseState.instance.overrides ?? {}),
    ));
    if (!values.has(key) && values.size >= MAX_VALUES)
      throw new ScenarioError(
        'too-many',
        key,
        `cannot set ${key}: at most ${MAX_VALUES} paths can be set or removed; remove some first, or reset`,
      );
    const now = this.clock.now();
    this.timeline.removeWhere(
      (scenario) =>
        (scenario.spec.type === 'set-value' || scenario.spec.type === 'remove-value') &&
        canonicalTreePath(scenario.spec.path) === key &&
        scenarioStatus(scenario, now) !== 'pending',
    );
    // The newest edit of a path is applied last: remove it, then append it.
    values.delete(key);
    values.set(key, value);
  }

  /** What is served at `now`: the base state with every scenario applied. */
  stateAt(now: number = this.clock.now()): ServiceState {
    return this.timeline.stateAt(this.#base, now);
  }

  /** The distinct client addresses seen, first first (what `firstSeen` selectors count). */
  get peers(): readonly string[] {
    return this.#faults.peers.list();
  }

  /**
   * Back to the state of creation: the configured instance, settings and scenarios (relative
   * moments now counting from this instant), an empty request log, fault state forgotten. The
   * clock, the token secret and the signing key are kept, so tokens issued before stay valid.
   */
  reset(): void {
    this.#base = this.#initial.base;
    this.#lastModified = this.#httpDate(this.#base.instance.launchTime);
    this.timeline.clear();
    const anchor = this.clock.now();
    for (const spec of this.#initial.scenarios) this.timeline.add(spec, anchor);
    this.requests.clear();
    this.#faults.reset();
  }

  /**
   * The tree under `/latest/` (or another version of a replayed recording) at `now`, rebuilt only
   * when the served instance changed or credentials rotated; undefined for a version not served.
   */
  tree(now: number, version: string): Directory | undefined;
  tree(now?: number): Directory;
  tree(now: number = this.clock.now(), version = LATEST): Directory | undefined {
    return this.#treeOf(this.stateAt(now).instance, version, now);
  }

  #treeOf(instance: InstanceDescription, version: string, now: number): Directory | undefined {
    if (this.#treeSource) {
      const context = { secret: this.#secret, signer: this.signer, instanceConnect: this.instanceConnect };
      return this.#treeSource.treeAt(instance, version, now, context);
    }
    const built = this.#built;
    if (built && built.instance === instance && now < built.tree.validUntil && now >= built.tree.builtAt) {
      return built.tree.root;
    }
    let tree = buildTree(
      instance,
      { secret: this.#secret, signer: this.signer, instanceConnect: this.instanceConnect },
      now,
    );
    if (this.#shareTree) tree = { ...tree, root: this.#shareTree(tree.root) };
    this.#built = { instance, tree };
    return tree.root;
  }

  /**
   * Answers one request and logs it. The state served is computed once, at one instant; the
   * faults in force for the client are applied around the pure handler.
   */
  handle(request: ImdsRequest): HandlerOutcome {
    const now = this.clock.now();
    const state = this.stateAt(now);
    const peer = request.remoteAddress;
    const faults = this.#faults.assess(peer, state.faults, now);
    const { outcome, access } = applyFaults(request, faults, this.#httpDate(now), () =>
      handleRequest(
        request,
        {
          state,
          tree: (version) => this.#treeOf(state.instance, version, now),
          lastModified: this.#lastModified,
          tokens: this.#tokens,
          httpDate: this.#httpDate,
          ...(this.#versions ? { versions: this.#versions } : {}),
        },
        now,
      ),
    );
    const entry = this.requests.add({
      time: now,
      method: request.method,
      path: request.target,
      access,
      status: isNoResponse(outcome) ? outcome.noResponse : outcome.status,
      userAgent: request.headers.get('user-agent')?.[0],
      peer,
    });
    const ends = this.#attribution ? request.connectionEnds?.() : undefined;
    if (this.#attribution && ends) {
      entry.caller = { status: 'pending' };
      this.#attribution.attribute(ends, (caller) => {
        entry.caller = caller;
        this.#settled(entry);
      });
    } else {
      this.#settled(entry);
    }
    return outcome;
  }

  /**
   * Calls `listener` with every request from now on, once its caller is known (or at once when
   * attribution is off): the serve log, the request-log file and the dashboard's live stream.
   * Returns the unsubscribe function.
   */
  onRequest(listener: (entry: RequestLogEntry) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #settled(entry: RequestLogEntry): void {
    for (const listener of this.#listeners) {
      try {
        listener(entry);
      } catch {
        // A failing listener (a closed log file) must not cost the others their entry.
      }
    }
  }
}
