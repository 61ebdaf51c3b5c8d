import { ManualClock } from '../clock.js';
import { ConfigError } from '../config/config-error.js';
import { configFromData } from '../config/load-file.js';
import type { ConfigFileInput } from '../config/schema/config-schema.js';
import { targetedScenarioSchema } from '../config/schema/fleet-schema.js';
import type { ScenarioEntryInput } from '../config/schema/scenario-schema.js';
import { toScenarioSpec } from '../config/schema/scenario-schema.js';
import { problemsFromIssues } from '../config/zod-problems.js';
import type { RequestRecord, ScenarioRecord } from '../control/api-shapes.js';
import { Controller, requestRecord } from '../control/controller.js';
import { DEFAULT_FLEET_HEADER } from '../fleet/fleet-spec.js';
import { Fleet } from '../fleet/fleet.js';
import { serveFleet } from '../fleet/start-fleet-listeners.js';
import type { FleetTargets } from '../fleet/targets.js';
import type { Emulator } from '../server/emulator.js';
import { epochOf, fixtureClock, type ImdsClock } from './fixture-clock.js';
import type { StartImdsOptions } from './options.js';
import { sdkEnv } from './sdk-env.js';

const SOURCE = 'startFleet';

/** What {@link startFleet} takes: the base of every instance as in {@link StartImdsOptions}, and the `fleet:` block. */
export interface StartFleetOptions extends Omit<StartImdsOptions, 'host'> {
  /** The fleet, written as the `fleet:` block of a configuration file (`{ template: { count: 3, sources: '127.0.0.2' } }`). */
  readonly fleet: NonNullable<ConfigFileInput['fleet']>;
}

/** One instance of a running fleet, for a test. */
export interface FleetInstance {
  readonly instanceId: string;
  /** Its own listener's URL when it has one, else the fleet's shared URL. */
  readonly url: string;
  /** The variables that point AWS SDKs at {@link url}. */
  readonly env: Readonly<Record<string, string>>;
  readonly controller: Controller;
  readonly emulator: Emulator;
  /** Adds a scenario or fault to this instance only. */
  trigger(entry: ScenarioEntryInput): ScenarioRecord;
  set(path: string, value: string): void;
  remove(path: string): void;
  /** The requests this instance answered, oldest first. */
  readonly requests: readonly RequestRecord[];
}

/** A fleet's request, naming the instance that answered (null: no instance matched). */
export type FleetRequestRecord = RequestRecord & { readonly instance: string | null };

/** A running fleet for tests: a shared loopback listener, instances' own listeners, a manual clock. */
export interface ImdsFleet extends AsyncDisposable {
  /** The shared listener (`http://127.0.0.1:<port>`): callers routed by header or source address. */
  readonly url: string;
  /** Instance ids in fleet order. */
  readonly ids: readonly string[];
  /** The header that names an instance on the shared listener (`x-imds-instance` unless configured). */
  readonly header: string | undefined;
  readonly clock: ImdsClock;
  instance(instanceId: string): FleetInstance;
  /** Adds a scenario or fault to the instances `targets` selects (`'all'`, ids, `{ percent }`, `{ count }`). */
  trigger(
    targets: FleetTargets,
    entry: ScenarioEntryInput,
  ): { readonly instanceId: string; readonly scenarioId: string }[];
  /** Every request, naming its instance. */
  readonly requests: readonly FleetRequestRecord[];
  reset(): void;
  close(): Promise<void>;
  readonly fleet: Fleet;
}

/**
 * Starts a fleet of emulated instances for a test: one shared listener on a free loopback port
 * (callers routed by source address, e.g. a client bound to `127.0.0.3`, or by the routing
 * header), plus each instance's own listener where the fleet says `listen:`. The instances are
 * checked exactly like a configuration file's `fleet:` block. The clock is manual and shared.
 *
 * @throws {ConfigError} when an option is invalid (the same messages as for a configuration file).
 * @example
 * ```ts
 * import { startFleet } from 'ec2-imds/testing';
 * await using fleet = await startFleet({ fleet: { template: { count: 3, sources: '127.0.0.2' } } });
 * // a client bound to 127.0.0.3 reads the second instance's id
 * fleet.trigger([fleet.ids[0]], { type: 'spot-interruption', action: 'stop' });
 * ```
 * @see ../../docs/fleet.md
 */
export async function startFleet(options: StartFleetOptions): Promise<ImdsFleet> {
  const { instance, scenarios, faults, set, remove, credentials, fleet: fleetInput } = options;
  const data = Object.fromEntries(
    Object.entries({ instance, scenarios, faults, set, remove, credentials }).filter(
      ([, value]) => value !== undefined,
    ),
  );
  const checked = configFromData({ ...data, fleet: { header: DEFAULT_FLEET_HEADER, ...fleetInput } });
  if ('problems' in checked)
    throw new ConfigError(checked.problems.map((problem) => ({ source: SOURCE, ...problem })));
  const spec = checked.config.fleet;
  if (!spec) throw new ConfigError([{ source: SOURCE, path: ['fleet'], message: 'missing' }]);
  const clock = new ManualClock(options.now === undefined ? Date.now() : epochOf(options.now, 'now', SOURCE));
  const fleet = new Fleet(spec, {
    clock,
    seed: options.seed ?? 0,
    httpTokens: options.httpTokens ?? 'required',
    httpEndpoint: options.httpEndpoint ?? 'enabled',
  });
  const running = await serveFleet(fleet, { host: '127.0.0.1', port: 0 });
  const handles = new Map<string, FleetInstance>();
  const instanceOf = (instanceId: string): FleetInstance => {
    const known = handles.get(instanceId);
    if (known) return known;
    const emulator = fleet.emulator(instanceId);
    const controller = new Controller(emulator, SOURCE);
    const url = running.listeners.get(instanceId) ?? running.url;
    const handle: FleetInstance = {
      instanceId,
      url,
      env: sdkEnv(url),
      controller,
      emulator,
      trigger: (entry) => controller.trigger(entry),
      set: (path, value) => controller.set(path, value),
      remove: (path) => controller.remove(path),
      get requests() {
        return controller.requests();
      },
    };
    handles.set(instanceId, handle);
    return handle;
  };
  const schema = targetedScenarioSchema();
  return {
    url: running.url,
    ids: fleet.ids,
    header: spec.header,
    clock: fixtureClock(clock, SOURCE),
    fleet,
    instance: instanceOf,
    trigger(targets, entry) {
      const input = { targets, scenario: entry };
      const parsed = schema.safeParse(input);
      if (!parsed.success)
        throw new ConfigError(
          problemsFromIssues(parsed.error.issues, schema, input).map((problem) => ({
            source: SOURCE,
            ...problem,
          })),
        );
      return fleet.trigger(parsed.data.targets ?? 'all', toScenarioSpec(parsed.data.scenario));
    },
    get requests() {
      return fleet.requests.entries().map((entry) => ({ instance: entry.instance, ...requestRecord(entry) }));
    },
    reset: () => fleet.reset(),
    close: () => running.close(),
    [Symbol.asyncDispose]: () => running.close(),
  };
}
