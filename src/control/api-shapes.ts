import type { Caller } from '../audit/attributor.js';
import type { AccessKind } from '../server/handler.js';
import type { ScenarioStatus } from '../scenarios/scenario.js';

/** One logged request as the control API and the fixture report it. */
export interface RequestRecord {
  /** ISO-8601 time on the emulator's clock. */
  readonly time: string;
  readonly method: string;
  readonly path: string;
  /** How it authenticated: `v2` (valid token), `v1` (none), `bad-token`, `token-request`, or `none` (refused before that). */
  readonly version: AccessKind;
  /** The status sent, or `reset` / `silence` when a fault sent nothing. */
  readonly status: number | 'reset' | 'silence';
  readonly userAgent?: string;
  readonly peer: string;
  /** The calling process (pid, exe, cmdline, user, parents, container), when attribution is on. */
  readonly caller?: Caller;
  /** Set by `imds proxy`: `dry-run` / `refused` under `--enforce`; `hop-limit`: a token `PUT` left unanswered. */
  readonly enforced?: 'dry-run' | 'refused' | 'hop-limit';
}

/** A scenario as listed: its id, its spec in the file's form, and where it stands now. */
export interface ScenarioRecord {
  readonly id: string;
  readonly type: string;
  readonly kind: 'scenario' | 'fault';
  readonly status: ScenarioStatus;
  /** When its relative moments count from. */
  readonly anchor: string;
  readonly entry: Record<string, unknown>;
  /** The maintenance event's id, for `events/<eventId>/complete|cancel`. */
  readonly eventId?: string;
}

/** A key pushed with EC2 Instance Connect and served now (`GET /instance-connect/keys`). */
export interface ActiveSshKeyRecord {
  readonly user: string;
  readonly publicKey: string;
  /** ISO-8601 times on the emulator's clock: served from `pushed` until `expires`. */
  readonly pushed: string;
  readonly expires: string;
  readonly caller: string;
  readonly requestId: string;
}

/** What `GET /state` answers. */
export interface ControlState {
  readonly now: string;
  readonly clock: 'manual' | 'system';
  /** The settings served now (scenarios applied) and as configured or last set. */
  readonly httpTokens: { readonly served: string; readonly base: string };
  readonly httpEndpoint: { readonly served: string; readonly base: string };
  /** What the scenarios do to the instance now. */
  readonly instance: {
    readonly instanceId: string;
    readonly instanceLifeCycle: string;
    readonly spotNotice?: { readonly action: string; readonly time: string };
    readonly rebalanceNoticeTime?: string;
    readonly targetLifecycleState?: string;
    readonly maintenanceEvents: readonly {
      readonly eventId: string;
      readonly code: string;
      readonly state: string;
    }[];
  };
  /** Paths set (a string) or removed (null), in the order applied. */
  readonly values: Readonly<Record<string, string | null>>;
  readonly scenarios: readonly ScenarioRecord[];
  /** Ids of the faults in force now. */
  readonly activeFaults: readonly string[];
  /** Client addresses seen, first first. */
  readonly peers: readonly string[];
  readonly requestCount: number;
}
