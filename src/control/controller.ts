import * as z from 'zod';
import { ManualClock } from '../clock.js';
import { parseDuration } from '../duration.js';
import { httpEndpointSchema, httpTokensSchema } from '../config/schema/fields.js';
import { durationRangeProblem, instantRangeProblem } from '../ranges.js';
import { scalarText } from '../config/schema/fields.js';
import { builtOnce } from '../config/schema/built-once.js';
import { metadataOptionsSchema } from '../config/schema/instance-schema.js';
import {
  HOP_LIMIT_FAULT_ID,
  IPV6_OFF_FAULT_ID,
  metadataOptionFaults,
} from '../config/metadata-option-faults.js';
import type { MetadataOptions } from '../metadata/instance.js';
import { scenarioEntrySchema, toScenarioSpec } from '../config/schema/scenario-schema.js';
import { treePath, withTreeValueLimit } from '../config/schema/tree-path.js';
import { specToEntry } from '../config/spec-to-entry.js';
import { pushedKeyToFile } from '../config/instance-to-file.js';
import { formatTimestamp, parseTimestamp } from '../config/timestamp.js';
import { problemsFromIssues } from '../config/zod-problems.js';
import type { Emulator } from '../server/emulator.js';
import type { RequestLogEntry } from '../server/request-log.js';
import { scenarioStatus, type Scenario } from '../scenarios/scenario.js';
import { ScenarioError } from '../scenarios/scenario-error.js';
import { isFault, type ScenarioSpec } from '../scenarios/spec.js';
import type { HttpEndpoint, HttpTokens } from '../wire.js';
import type { ActiveSshKeyRecord, ControlState, RequestRecord, ScenarioRecord } from './api-shapes.js';
import { activeSshKeys } from '../metadata/build-managed-ssh-keys.js';
import { ControlRequestError } from './control-error.js';

/** Built once: a zod schema costs far more to build than to check (10,000 sets: 0.9 s → ms). */
// Built on the first edit: a start without a control API never needs them.
const setValueSchema = builtOnce(() =>
  withTreeValueLimit(z.object({ path: treePath(), value: scalarText() })),
);
const removeValueSchema = builtOnce(() => z.object({ path: treePath() }));

/**
 * The run-time operations on one emulator, shared by the control API and the test fixture:
 * read the state, set or remove values, trigger or cancel scenarios, end maintenance events,
 * change the token mode, read the request log, move a manual clock, reset. Input from outside is
 * validated with the configuration's schemas, so a bad request gets the same clear messages as a
 * bad file ({@link ControlRequestError}, source `request body` by default).
 *
 * @example
 * ```ts
 * const controller = new Controller(emulator);
 * controller.trigger({ type: 'spot-interruption', action: 'stop', after: '30s' });
 * controller.set('meta-data/tags/instance/Name', 'web-2');
 * ```
 */
export class Controller {
  constructor(
    readonly emulator: Emulator,
    private readonly source = 'request body',
  ) {}

  /** What is served now, and what will be. */
  state(): ControlState {
    const emulator = this.emulator;
    const now = emulator.clock.now();
    const served = emulator.stateAt(now);
    const instance = served.instance;
    return {
      now: formatTimestamp(now),
      clock: emulator.clock instanceof ManualClock ? 'manual' : 'system',
      httpTokens: { served: served.httpTokens, base: emulator.httpTokens },
      httpEndpoint: { served: served.httpEndpoint, base: emulator.httpEndpoint },
      instance: {
        instanceId: instance.instanceId,
        instanceLifeCycle: instance.instanceLifeCycle,
        ...(instance.spotNotice
          ? {
              spotNotice: {
                action: instance.spotNotice.action,
                time: formatTimestamp(instance.spotNotice.time),
              },
            }
          : {}),
        ...(instance.rebalanceNoticeTime === undefined
          ? {}
          : { rebalanceNoticeTime: formatTimestamp(instance.rebalanceNoticeTime) }),
        ...(instance.targetLifecycleState === undefined
          ? {}
          : { targetLifecycleState: instance.targetLifecycleState }),
        maintenanceEvents: instance.maintenanceEvents.map(({ eventId, code, state }) => ({
          eventId,
          code,
          state,
        })),
      },
      values: { ...instance.overrides },
      scenarios: this.scenarios(),
      activeFaults: served.faults.map((fault) => fault.id),
      peers: emulator.peers,
      requestCount: emulator.requests.total,
    };
  }

  /** Every scenario and fault, in the order added. */
  scenarios(): ScenarioRecord[] {
    const now = this.emulator.clock.now();
    return this.emulator.timeline.list().map((scenario) => scenarioRecord(scenario, now));
  }

  /** Sets a path of the tree (`meta-data/tags/instance/Name`) to a value from now on. */
  set(path: unknown, value: unknown): void {
    const checked = this.#parse(setValueSchema(), { path, value });
    this.emulator.setValue(checked.path, checked.value);
  }

  /** Removes a path of the tree from now on. */
  remove(path: unknown): void {
    this.emulator.setValue(this.#parse(removeValueSchema(), { path }).path, null);
  }

  /**
   * Adds a scenario or fault written as in a configuration file; its relative moments count from
   * now, and without `after` or `at` it takes effect at once.
   */
  trigger(entry: unknown): ScenarioRecord {
    const spec = toScenarioSpec(this.#parse(scenarioEntrySchema(), entry));
    return this.add(spec);
  }

  /** Adds a spec that is already checked (the fixture builds them itself). */
  add(spec: ScenarioSpec): ScenarioRecord {
    const now = this.emulator.clock.now();
    return scenarioRecord(this.emulator.timeline.add(spec, now), now);
  }

  /** Removes a scenario: its effect is gone at once, as if it had never been. */
  cancel(id: string): ScenarioRecord {
    return scenarioRecord(this.emulator.timeline.remove(id), this.emulator.clock.now());
  }

  /** Moves a maintenance event to history now, as `completed` or `canceled`. */
  endEvent(eventId: string, state: 'completed' | 'canceled'): ScenarioRecord {
    const scenario = this.emulator.timeline
      .list()
      .find((each) => each.spec.type === 'maintenance-event' && each.spec.eventId === eventId);
    if (scenario?.spec.type !== 'maintenance-event') {
      throw new ScenarioError('unknown-id', eventId, `no maintenance event with id '${eventId}'`);
    }
    const now = this.emulator.clock.now();
    const replaced = this.emulator.timeline.replace(scenario.id, { ...scenario.spec, [state]: { at: now } });
    return scenarioRecord(replaced, now);
  }

  /**
   * Pushes a key as EC2 Instance Connect's `SendSSHPublicKey` does: `{ user, publicKey }` (and
   * optionally `caller`, `requestId`, `lifetime`, `after`/`at`) appears under
   * `managed-ssh-keys/active-keys/<user>` now for 60 s of the emulator's clock, then vanishes.
   * @throws {ControlRequestError} naming the field when the input is not a valid push.
   */
  pushSshKey(input: unknown): ScenarioRecord {
    if (!input || typeof input !== 'object' || Array.isArray(input) || 'type' in input)
      throw new ControlRequestError([
        {
          source: this.source,
          path: [],
          message: 'expected a map with user and publicKey (and optionally caller, requestId, lifetime)',
        },
      ]);
    return this.trigger({ ...input, type: 'instance-connect-key' });
  }

  /** The keys pushed with Instance Connect that are served now, in push order. */
  activeSshKeys(): ActiveSshKeyRecord[] {
    const now = this.emulator.clock.now();
    return activeSshKeys(this.emulator.stateAt(now).instance, now).map(pushedKeyToFile);
  }

  setHttpTokens(mode: unknown): HttpTokens {
    const checked = this.#parse(z.object({ httpTokens: httpTokensSchema() }), {
      httpTokens: mode,
    }).httpTokens;
    this.emulator.setHttpTokens(checked);
    return checked;
  }

  /**
   * Merges metadata options into the instance's (`InstanceMetadataTags`, `HttpPutResponseHopLimit`,
   * `HttpProtocolIpv6`, container clients) and re-derives the faults that enforce them.
   */
  setMetadataOptions(input: unknown): MetadataOptions {
    const checked = this.#parse(z.object({ metadataOptions: metadataOptionsSchema() }), {
      metadataOptions: input,
    }).metadataOptions;
    const instance = this.emulator.instance;
    const merged: MetadataOptions = Object.fromEntries(
      Object.entries({ ...instance.metadataOptions, ...checked }).filter(([, value]) => value !== undefined),
    );
    this.emulator.setInstance({ ...instance, metadataOptions: merged });
    this.emulator.timeline.removeWhere(
      (scenario) => scenario.id === HOP_LIMIT_FAULT_ID || scenario.id === IPV6_OFF_FAULT_ID,
    );
    const now = this.emulator.clock.now();
    for (const fault of metadataOptionFaults(merged)) this.emulator.timeline.add(fault, now);
    return merged;
  }

  setHttpEndpoint(mode: unknown): HttpEndpoint {
    const checked = this.#parse(z.object({ httpEndpoint: httpEndpointSchema() }), {
      httpEndpoint: mode,
    }).httpEndpoint;
    this.emulator.setHttpEndpoint(checked);
    return checked;
  }

  /** The logged requests, oldest first; `since` skips the first entries of the kept log. */
  requests(since = 0): RequestRecord[] {
    return this.emulator.requests.entries().slice(since).map(requestRecord);
  }

  clearRequests(): void {
    this.emulator.requests.clear();
  }

  /** Back to the configured state (see {@link Emulator.reset}). */
  reset(): void {
    this.emulator.reset();
  }

  /**
   * Moves a manual clock: `advance` by a duration (`2m`, or milliseconds as a number), or `set` to
   * a time. A system clock cannot be moved.
   * @throws {ClockError} when the clock is not manual or the input is not a duration or time.
   */
  moveClock(move: { advance?: unknown; set?: unknown }): string {
    const clock = this.emulator.clock;
    if (!(clock instanceof ManualClock))
      throw new ClockError(
        'not-manual',
        'the clock is the system clock; start with clock.manual: true to move it',
      );
    if (move.advance !== undefined) {
      const ms = parseDuration(move.advance);
      if (ms === undefined)
        throw new ClockError(
          'bad-input',
          `advance: expected a duration such as 2m or a number of seconds, got ${JSON.stringify(move.advance)}`,
        );
      const tooLong = durationRangeProblem(ms);
      if (tooLong)
        throw new ClockError(
          'bad-input',
          `advance: expected ${tooLong}, got ${JSON.stringify(move.advance)}`,
        );
      const tooLate = instantRangeProblem(clock.now() + ms);
      if (tooLate)
        throw new ClockError(
          'bad-input',
          `advance: the clock must stay at ${tooLate}; ${JSON.stringify(move.advance)} moves it past that`,
        );
      clock.advance(ms);
    } else if (move.set !== undefined) {
      const at = parseTimestamp(move.set);
      if (at === undefined)
        throw new ClockError(
          'bad-input',
          `set: expected an ISO-8601 time such as 2024-02-27T13:10:00Z, got ${JSON.stringify(move.set)}`,
        );
      const problem = instantRangeProblem(at);
      if (problem)
        throw new ClockError('bad-input', `set: expected ${problem}, got ${JSON.stringify(move.set)}`);
      clock.set(at);
    } else {
      throw new ClockError('bad-input', 'expected advance (a duration) or set (a time)');
    }
    return formatTimestamp(clock.now());
  }

  #parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
    const result = schema.safeParse(input);
    if (result.success) return result.data;
    throw new ControlRequestError(
      problemsFromIssues(result.error.issues, schema, input).map((problem) => ({
        source: this.source,
        ...problem,
      })),
    );
  }
}

/** The clock cannot be moved as asked. */
export class ClockError extends Error {
  override readonly name = 'ClockError';
  constructor(
    readonly code: 'not-manual' | 'bad-input',
    message: string,
  ) {
    super(message);
  }
}

function scenarioRecord(scenario: Scenario, now: number): ScenarioRecord {
  return {
    id: scenario.id,
    type: scenario.spec.type,
    kind: isFault(scenario.spec) ? 'fault' : 'scenario',
    status: scenarioStatus(scenario, now),
    anchor: formatTimestamp(scenario.anchor),
    entry: specToEntry(scenario.spec),
    ...(scenario.spec.type === 'maintenance-event' && scenario.spec.eventId
      ? { eventId: scenario.spec.eventId }
      : {}),
  };
}

/** A log entry as the control API, the fixture and the request-log file report it. */
export function requestRecord(entry: RequestLogEntry): RequestRecord {
  return {
    time: formatTimestamp(entry.time),
    method: entry.method,
    path: entry.path,
    version: entry.access,
    status: entry.status,
    ...(entry.userAgent === undefined ? {} : { userAgent: entry.userAgent }),
    peer: entry.peer,
    ...(entry.caller === undefined ? {} : { caller: entry.caller }),
    ...(entry.enforced === undefined ? {} : { enforced: entry.enforced }),
  };
}
