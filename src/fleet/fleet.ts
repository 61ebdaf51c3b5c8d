import { systemClock, type Clock } from '../clock.js';
import { emulatorOptionsOf } from '../config/emulator-options.js';
import { createIdentitySigner, type IdentitySigner } from '../metadata/identity-signer.js';
import {
  createInstanceConnectSigner,
  type InstanceConnectSigner,
} from '../metadata/instance-connect-signer.js';
import type { ScenarioSpec } from '../scenarios/spec.js';
import { Emulator } from '../server/emulator.js';
import type { HandlerOutcome, ImdsRequest, RequestHandler } from '../server/exchange.js';
import { createHttpDateFormatter } from '../server/http-date.js';
import { RequestLog, type RequestLogEntry } from '../server/request-log.js';
import { pageResponse } from '../server/responses.js';
import { CallerRouter } from './caller-router.js';
import { FleetError } from './fleet-error.js';
import type { FleetMember, FleetSpec, Unmatched } from './fleet-spec.js';
import { selectTargets, type FleetTargets } from './targets.js';
import { treeSharer } from './tree-sharing.js';
import type { HttpEndpoint, HttpTokens } from '../wire.js';

/** A request in the fleet's log: the instance that answered, or null when no instance matched. */
export interface FleetLogEntry extends RequestLogEntry {
  readonly instance: string | null;
}

/** How to create a {@link Fleet} besides its members. */
export interface FleetOptions {
  /** One clock for the whole fleet (a fleet lives in one region's time). */
  clock?: Clock;
  /** One signer for every identity document (generating keys is slow; AWS signs a region with one key too). */
  signer?: IdentitySigner;
  /** `HttpTokens` of the instances that do not set their own; `required` by default. */
  httpTokens?: HttpTokens;
  httpEndpoint?: HttpEndpoint;
  /** Seed of the fault randomness (instance n gets seed + n) and of `{ percent }` target draws. */
  seed?: number;
  /** Requests each instance keeps in its own log (small: a fleet has many). */
  instanceLogCapacity?: number;
  /** Requests the fleet-wide log keeps. */
  logCapacity?: number;
}

/**
 * Many emulated instances behind one dispatcher. Each instance is a full {@link Emulator} of its
 * own (own token secret, so a token from A is refused at B with a 401, as on EC2; own scenarios,
 * faults, settings and log), created on its first request or first control operation, so a fleet
 * of 10,000 costs a description per instance until callers arrive. One clock and one signer are
 * shared.
 *
 * A caller is mapped to an instance by, in this order: the listener it arrived on (see
 * {@link Fleet.handlerFor}), the fleet's routing header (`x-imds-instance: <instance id>`), its
 * source address or CIDR block; else it gets what {@link FleetSpec.unmatched} says.
 *
 * @example
 * ```ts
 * const fleet = new Fleet(spec, { clock });
 * const outcome = fleet.handle(makeRequest('GET', '/latest/meta-data/instance-id', {}, '127.0.0.2'));
 * fleet.trigger({ percent: 10 }, { type: 'spot-interruption', action: 'terminate', when: { after: 120_000 } });
 * ```
 * @see ../../docs/fleet.md
 */
export class Fleet {
  readonly clock: Clock;
  readonly signer: IdentitySigner;
  /** One EC2 Instance Connect signer for every instance (its keys are made once, on first read). */
  readonly instanceConnect: InstanceConnectSigner = createInstanceConnectSigner();
  /** Every request the fleet answered or refused, naming the instance. */
  readonly requests: RequestLog<FleetLogEntry>;
  /** Instance ids in fleet order. */
  readonly ids: readonly string[];
  readonly #members = new Map<string, { readonly member: FleetMember; readonly index: number }>();
  readonly #emulators = new Map<string, Emulator>();
  readonly #router: CallerRouter;
  readonly #header: string | undefined;
  readonly #unmatched: Unmatched;
  readonly #seed: number;
  readonly #instanceLogCapacity: number;
  readonly #defaults: { readonly httpTokens: HttpTokens; readonly httpEndpoint: HttpEndpoint };
  readonly #httpDate = createHttpDateFormatter();
  readonly #shareTree = treeSharer();
  #anchor: number;

  /** @throws {FleetError} when two members share an instance id or `unmatched` names an unknown one. */
  constructor(spec: FleetSpec, options: FleetOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.signer = options.signer ?? createIdentitySigner();
    this.requests = new RequestLog<FleetLogEntry>(options.logCapacity ?? 10_000);
    this.#seed = options.seed ?? 0;
    this.#instanceLogCapacity = options.instanceLogCapacity ?? 100;
    this.#defaults = {
      httpTokens: options.httpTokens ?? 'required',
      httpEndpoint: options.httpEndpoint ?? 'enabled',
    };
    const members = withTargeted(spec, this.#seed);
    members.forEach((member, index) => {
      const id = member.instance.instanceId;
      if (this.#members.has(id))
        throw new FleetError(
          'duplicate-instance',
          `two instances of the fleet have the id ${id}; each needs its own`,
        );
      this.#members.set(id, { member, index });
    });
    this.ids = [...this.#members.keys()];
    this.#router = new CallerRouter(members);
    this.#header = spec.header?.toLowerCase();
    this.#unmatched = spec.unmatched;
    if (spec.unmatched.kind === 'instance' && !this.#members.has(spec.unmatched.instanceId))
      throw new FleetError(
        'unknown-instance',
        `unmatched: no instance ${spec.unmatched.instanceId} in the fleet to answer unmatched callers`,
      );
    this.#anchor = this.clock.now();
    this.handle = this.handle.bind(this);
  }

  /** The routing header (lower case), if the fleet has one. */
  get header(): string | undefined {
    return this.#header;
  }

  /** The members, in fleet order. */
  get members(): readonly FleetMember[] {
    return [...this.#members.values()].map((entry) => entry.member);
  }

  has(instanceId: string): boolean {
    return this.#members.has(instanceId);
  }

  /** Whether an instance's emulator exists yet (it is created on first use). */
  isCreated(instanceId: string): boolean {
    return this.#emulators.has(instanceId);
  }

  /** How many instances have been created (served a request or been operated on). */
  get created(): number {
    return this.#emulators.size;
  }

  /**
   * The emulator of one instance, created on first use.
   * @throws {FleetError} `unknown-instance`.
   */
  emulator(instanceId: string): Emulator {
    const existing = this.#emulators.get(instanceId);
    if (existing) return existing;
    const entry = this.#members.get(instanceId);
    if (!entry) throw new FleetError('unknown-instance', `no instance ${instanceId} in the fleet`);
    const { member, index } = entry;
    const emulator = new Emulator({
      ...emulatorOptionsOf(
        {
          instance: member.instance,
          scenarios: member.scenarios,
          httpTokens: member.httpTokens ?? this.#defaults.httpTokens,
          httpEndpoint: member.httpEndpoint ?? this.#defaults.httpEndpoint,
          seed: (this.#seed + index) >>> 0,
        },
        this.clock,
      ),
      signer: this.signer,
      instanceConnect: this.instanceConnect,
      anchor: this.#anchor,
      shareTree: this.#shareTree,
      requestLogCapacity: this.#instanceLogCapacity,
    });
    this.#emulators.set(instanceId, emulator);
    return emulator;
  }

  /** The instance a request on the shared listener is for, or undefined when none matches. */
  route(request: ImdsRequest): string | undefined {
    if (this.#header !== undefined) {
      const named = request.headers.get(this.#header);
      if (named !== undefined)
        return named.length === 1 && this.#members.has(named[0] as string) ? named[0] : undefined;
    }
    return this.#router.route(request.remoteAddress);
  }

  /** Answers a request on the shared listener: routed, or as {@link FleetSpec.unmatched} says. */
  handle(request: ImdsRequest): HandlerOutcome {
    const instanceId = this.route(request);
    if (instanceId !== undefined) return this.#answer(instanceId, request);
    if (this.#unmatched.kind === 'instance') return this.#answer(this.#unmatched.instanceId, request);
    const now = this.clock.now();
    const outcome: HandlerOutcome =
      this.#unmatched.kind === 'timeout'
        ? { noResponse: 'silence' }
        : pageResponse(403, { date: this.#httpDate(now), head: request.method === 'HEAD' });
    this.requests.add({
      time: now,
      method: request.method,
      path: request.target,
      access: 'none',
      status: 'status' in outcome ? outcome.status : outcome.noResponse,
      userAgent: request.headers.get('user-agent')?.[0],
      peer: request.remoteAddress,
      instance: null,
    });
    return outcome;
  }

  /** The handler of an instance's own listener: every request there is that instance's. */
  handlerFor(instanceId: string): RequestHandler {
    this.#requireMember(instanceId);
    return (request) => this.#answer(instanceId, request);
  }

  /**
   * Adds a scenario or fault to the instances `targets` selects; relative moments count from now.
   * Returns the ids of the instances reached.
   * @throws {FleetError} `bad-targets`.
   */
  trigger(targets: FleetTargets, spec: ScenarioSpec): { instanceId: string; scenarioId: string }[] {
    const now = this.clock.now();
    return selectTargets(this.ids, targets, this.#seed).map((instanceId) => ({
      instanceId,
      scenarioId: this.emulator(instanceId).timeline.add(spec, now).id,
    }));
  }

  /**
   * Back to the state of the start: every instance as configured, relative moments counting from
   * now, logs emptied; tokens stay valid (see {@link Emulator.reset}).
   */
  reset(): void {
    for (const emulator of this.#emulators.values()) emulator.reset();
    this.#anchor = this.clock.now();
    this.requests.clear();
  }

  #requireMember(instanceId: string): void {
    if (!this.#members.has(instanceId))
      throw new FleetError('unknown-instance', `no instance ${instanceId} in the fleet`);
  }

  #answer(instanceId: string, request: ImdsRequest): HandlerOutcome {
    const emulator = this.emulator(instanceId);
    const outcome = emulator.handle(request);
    const entry = emulator.requests.last();
    if (entry) this.requests.add({ ...entry, instance: instanceId });
    return outcome;
  }
}

/** The members with the spec's targeted scenarios added to the instances each one selects. */
function withTargeted(spec: FleetSpec, seed: number): readonly FleetMember[] {
  if (!spec.targeted || spec.targeted.length === 0) return spec.members;
  const ids = spec.members.map((member) => member.instance.instanceId);
  const extra = new Map<string, ScenarioSpec[]>();
  for (const { targets, spec: scenario } of spec.targeted) {
    for (const id of selectTargets(ids, targets, seed)) extra.set(id, [...(extra.get(id) ?? []), scenario]);
  }
  return spec.members.map((member) => {
    const added = extra.get(member.instance.instanceId);
    return added ? { ...member, scenarios: [...member.scenarios, ...added] } : member;
  });
}
