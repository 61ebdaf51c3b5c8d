/**
 * Scenario and fault specifications: plain data (JSON-able) that say what happens to the emulated
 * instance and when. The configuration file, the control API and the test fixture all parse their
 * input into these shapes (times already in milliseconds), and {@link compileScenario} turns one
 * into a function of the clock.
 *
 * @see ../../docs/scenarios.md
 */
import type { MaintenanceEventCode, SpotAction, TargetLifecycleState } from '../metadata/instance.js';
import type { HttpTokens } from '../wire.js';

/**
 * When something happens: `after` milliseconds from the scenario's anchor (the emulator's start,
 * or the moment the scenario was triggered at run time), or `at` an absolute time (epoch ms).
 */
export type Moment = { readonly after: number } | { readonly at: number };

/**
 * Which clients a fault affects, by source address. Both fields absent: every client. Both present:
 * a client matching either is affected.
 */
export interface ClientSelector {
  /** Addresses (`10.0.0.7`) or CIDR blocks (`172.17.0.0/16`, `fd00::/8`). */
  readonly addresses?: readonly string[];
  /** The first N distinct client addresses the emulator has seen, like AEMM's `mock-ip-count`. */
  readonly firstSeen?: number;
}

interface Timed {
  /** A name to refer to it by (generated when absent: `spot-interruption-1`). */
  readonly id?: string;
  /** When it takes effect; at once when absent. */
  readonly when?: Moment;
}

/** A spot interruption notice, issued at `when` for an action `noticeMs` later (two minutes on EC2). */
export interface SpotInterruptionSpec extends Timed {
  readonly type: 'spot-interruption';
  readonly action: SpotAction;
  readonly noticeMs?: number;
}

/** A rebalance recommendation, issued at `when` (its `noticeTime`). */
export interface RebalanceRecommendationSpec extends Timed {
  readonly type: 'rebalance-recommendation';
}

/**
 * A scheduled maintenance event: listed under `events/maintenance/scheduled` from `when`, moved to
 * `history` once `completed` or `canceled`.
 */
export interface MaintenanceEventSpec extends Timed {
  readonly type: 'maintenance-event';
  readonly code: MaintenanceEventCode;
  readonly eventId?: string;
  readonly description?: string;
  readonly notBefore: Moment;
  readonly notAfter: Moment;
  readonly notBeforeDeadline?: Moment;
  readonly completed?: Moment;
  readonly canceled?: Moment;
}

/** One step of an Auto Scaling target lifecycle sequence, `after` ms from the anchor. */
export interface LifecycleStep {
  readonly state: TargetLifecycleState;
  readonly after: number;
}

/** `autoscaling/target-lifecycle-state` going through `steps` (absent before the first). */
export interface AutoscalingLifecycleSpec {
  readonly type: 'autoscaling-lifecycle';
  readonly id?: string;
  readonly steps: readonly LifecycleStep[];
}

/** A credential set issued early, at `when`, as when a role's credentials are rotated by hand. */
export interface CredentialRotationSpec extends Timed {
  readonly type: 'credential-rotation';
}

/** `HttpTokens` changed at `when` (IMDSv2 switched on, or back off). */
export interface HttpTokensSpec extends Timed {
  readonly type: 'http-tokens';
  readonly mode: HttpTokens;
}

/**
 * A public key pushed with EC2 Instance Connect at `when`: served under
 * `managed-ssh-keys/active-keys/<user>` for `lifetimeMs` (60 s, as `SendSSHPublicKey` keeps it).
 */
export interface InstanceConnectKeySpec extends Timed {
  readonly type: 'instance-connect-key';
  readonly user: string;
  readonly publicKey: string;
  /** The pushing principal's ARN (`#Caller=`); a user of the instance's account when absent. */
  readonly caller?: string;
  /** The push's request id (`#Request=`); derived from the push when absent. */
  readonly requestId?: string;
  readonly lifetimeMs?: number;
}

/** A path of the tree set to a value at `when` (path under `/latest/`: `meta-data/tags/instance/Name`). */
export interface SetValueSpec extends Timed {
  readonly type: 'set-value';
  readonly path: string;
  readonly value: string;
}

/** A path of the tree removed at `when`. */
export interface RemoveValueSpec extends Timed {
  readonly type: 'remove-value';
  readonly path: string;
}

/** What every fault has: a window (`when` for `durationMs`, open-ended when absent) and its clients. */
interface FaultBase extends Timed {
  readonly durationMs?: number;
  readonly clients?: ClientSelector;
}

/**
 * Hop-limit emulation: token `PUT`s from the chosen clients are never answered, as when the
 * response's IP TTL runs out before a container; the client times out.
 */
export interface HopLimitSpec extends FaultBase {
  readonly type: 'hop-limit';
}

/** Throttling: each client may make `ratePerSecond` requests (bursts of `burst`); the rest get a 503 or a dropped connection. */
export interface ThrottleSpec extends FaultBase {
  readonly type: 'throttle';
  readonly ratePerSecond: number;
  readonly burst?: number;
  readonly response: 503 | 'reset';
}

/** Every response to the chosen clients is held back `delayMs`. */
export interface LatencySpec extends FaultBase {
  readonly type: 'latency';
  readonly delayMs: number;
}

/** A share `rate` (0..1) of requests answered with a 5xx instead. */
export interface ServerErrorsSpec extends FaultBase {
  readonly type: 'server-errors';
  readonly rate: number;
  readonly status: 500 | 502 | 503 | 504;
}

/**
 * The endpoint switched off: `forbidden` answers 403 to everything (`HttpEndpoint=disabled`),
 * `reset` drops every connection, `silence` never answers (no service at that address).
 */
export interface EndpointOffSpec extends FaultBase {
  readonly type: 'endpoint-off';
  readonly response: 'forbidden' | 'reset' | 'silence';
}

/** Any fault. */
export type FaultSpec = HopLimitSpec | ThrottleSpec | LatencySpec | ServerErrorsSpec | EndpointOffSpec;

/** Any scenario or fault: what a timeline holds. */
export type ScenarioSpec =
  | SpotInterruptionSpec
  | RebalanceRecommendationSpec
  | MaintenanceEventSpec
  | AutoscalingLifecycleSpec
  | CredentialRotationSpec
  | HttpTokensSpec
  | InstanceConnectKeySpec
  | SetValueSpec
  | RemoveValueSpec
  | FaultSpec;

/** The `type` names. */
export type ScenarioType = ScenarioSpec['type'];

/** The fault types, for telling faults from scenarios in listings and files. */
export const FAULT_TYPES: ReadonlySet<ScenarioType> = new Set([
  'hop-limit',
  'throttle',
  'latency',
  'server-errors',
  'endpoint-off',
]);

/** True when the spec is a fault (it shapes how requests are answered rather than what the tree holds). */
export function isFault(spec: ScenarioSpec): spec is FaultSpec {
  return FAULT_TYPES.has(spec.type);
}
