import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';
import { buildTree, type BuiltTree } from '../metadata/build-tree.js';
import { DEFAULT_INSTANCE } from '../metadata/default-instance.js';
import { createIdentitySigner, type IdentitySigner } from '../metadata/identity-signer.js';
import type { InstanceDescription } from '../metadata/instance.js';
import type { Directory } from '../metadata/tree.js';
import type { HttpEndpoint, HttpTokens } from '../wire.js';
import type { HandlerOutcome, ImdsRequest } from './exchange.js';
import { handleRequest, type HandlerState } from './handler.js';
import { createHttpDateFormatter } from './http-date.js';
import { RequestLog } from './request-log.js';
import { createTokenIssuer, type TokenIssuer } from './tokens.js';

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
  /** How many recent requests the log keeps. */
  requestLogCapacity?: number;
}

/**
 * One emulated metadata service: an instance, its settings, a token secret from a CSPRNG, a
 * signing key, a clock and a request log, all on this object (nothing is module-global, so several
 * emulators in one process stay isolated). {@link Emulator.handle} is the `RequestHandler` the
 * socket front serves.
 */
export class Emulator {
  readonly clock: Clock;
  readonly requests: RequestLog;
  readonly signer: IdentitySigner;
  #instance: InstanceDescription;
  #httpTokens: HttpTokens;
  #httpEndpoint: HttpEndpoint;
  readonly #secret = randomBytes(32);
  readonly #tokens: TokenIssuer = createTokenIssuer(this.#secret);
  readonly #httpDate = createHttpDateFormatter();
  #built: { instance: InstanceDescription; tree: BuiltTree } | undefined;
  #lastModified: string;
  readonly #state: HandlerState;

  constructor(options: EmulatorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.#instance = options.instance ?? DEFAULT_INSTANCE;
    this.#httpTokens = options.httpTokens ?? 'required';
    this.#httpEndpoint = options.httpEndpoint ?? 'enabled';
    this.signer = createIdentitySigner(options.identity);
    this.requests = new RequestLog(options.requestLogCapacity);
    this.#lastModified = this.#httpDate(this.#instance.launchTime);
    const emulator = this;
    this.#state = {
      get instanceId() {
        return emulator.#instance.instanceId;
      },
      get httpTokens() {
        return emulator.#httpTokens;
      },
      get httpEndpoint() {
        return emulator.#httpEndpoint;
      },
      get lastModified() {
        return emulator.#lastModified;
      },
      tokens: this.#tokens,
      tree: (now) => this.tree(now),
      httpDate: this.#httpDate,
    };
    this.handle = this.handle.bind(this);
  }

  get instance(): InstanceDescription {
    return this.#instance;
  }

  /** Replaces the instance; tokens issued for another instance id stop working. */
  setInstance(instance: InstanceDescription): void {
    this.#instance = instance;
    this.#lastModified = this.#httpDate(instance.launchTime);
  }

  get httpTokens(): HttpTokens {
    return this.#httpTokens;
  }

  setHttpTokens(mode: HttpTokens): void {
    this.#httpTokens = mode;
  }

  get httpEndpoint(): HttpEndpoint {
    return this.#httpEndpoint;
  }

  setHttpEndpoint(mode: HttpEndpoint): void {
    this.#httpEndpoint = mode;
  }

  /** The tree under `/latest/` at `now`, rebuilt only when the instance changed or credentials rotated. */
  tree(now: number = this.clock.now()): Directory {
    const built = this.#built;
    if (built && built.instance === this.#instance && now < built.tree.validUntil && now >= built.tree.builtAt) {
      return built.tree.root;
    }
    const tree = buildTree(this.#instance, { secret: this.#secret, signer: this.signer }, now);
    this.#built = { instance: this.#instance, tree };
    return tree.root;
  }

  /** Answers one request and logs it. */
  handle(request: ImdsRequest): HandlerOutcome {
    const now = this.clock.now();
    const { response, access } = handleRequest(request, this.#state, now);
    this.requests.add({
      time: now,
      method: request.method,
      path: request.target,
      access,
      status: response.status,
      userAgent: request.headers.get('user-agent')?.[0],
      peer: request.remoteAddress,
    });
    return response;
  }
}
