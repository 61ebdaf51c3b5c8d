import { compileScenario } from './compile.js';
import { lastChangeAt, type Scenario } from './scenario.js';
import { MAX_SCENARIOS, ScenarioError } from './scenario-error.js';
import type { ServiceState } from './service-state.js';
import type { ScenarioSpec } from './spec.js';
import { withOverrides } from './tree-value.js';
import { withInstance } from './with-instance.js';

interface Memo {
  readonly base: ServiceState;
  readonly version: number;
  /** The computed state holds from `from` (inclusive) to `until` (exclusive). */
  readonly from: number;
  readonly until: number;
  readonly state: ServiceState;
}

/**
 * The scenarios of one emulator, and the state they produce at any moment. Scenarios are applied
 * to the base state in the order of their most recent change (ties: the order they were added),
 * so the latest event wins: a `http-tokens` switch at 10 minutes overrides one at 5, whatever
 * order they were written in.
 *
 * The state is a step function of time, so it is computed once per step and reused until the next
 * instant any scenario changes (or until the base or the set of scenarios changes): reading it on
 * every request costs a comparison.
 *
 * @example
 * ```ts
 * const timeline = new Timeline();
 * timeline.add({ type: 'rebalance-recommendation', when: { after: 60_000 } }, clock.now());
 * timeline.stateAt(base, clock.now() + 60_000).instance.rebalanceNoticeTime; // defined
 * ```
 */
export class Timeline {
  #scenarios: Scenario[] = [];
  /** The same scenarios by id, so adding thousands stays linear. */
  readonly #byId = new Map<string, Scenario>();
  readonly #counters = new Map<string, number>();
  #version = 0;
  #memo: Memo | undefined;

  /** Adds a scenario anchored at `anchor`; its id is `spec.id` or `<type>-<n>`. */
  add(spec: ScenarioSpec, anchor: number): Scenario {
    const id = spec.id ?? this.#nextId(spec.type);
    if (this.get(id))
      throw new ScenarioError('duplicate-id', id, `a scenario with id '${id}' already exists`);
    if (this.#scenarios.length >= MAX_SCENARIOS)
      throw new ScenarioError(
        'too-many',
        id,
        `cannot add '${id}': an emulator holds at most ${MAX_SCENARIOS} scenarios and faults; cancel some first`,
      );
    const scenario = compileScenario(spec, id, anchor);
    this.#scenarios.push(scenario);
    this.#byId.set(id, scenario);
    this.#version++;
    return scenario;
  }

  /** Replaces a scenario's spec in place (same id, same anchor, same position). */
  replace(id: string, spec: ScenarioSpec): Scenario {
    const index = this.#indexOf(id);
    const previous = this.#scenarios[index] as Scenario;
    const scenario = compileScenario({ ...spec, id }, id, previous.anchor);
    this.#scenarios[index] = scenario;
    this.#byId.set(id, scenario);
    this.#version++;
    return scenario;
  }

  /** Removes a scenario: its effect disappears at once, as if it had never been. */
  remove(id: string): Scenario {
    const index = this.#indexOf(id);
    const [removed] = this.#scenarios.splice(index, 1);
    this.#byId.delete(id);
    this.#version++;
    return removed as Scenario;
  }

  /** Removes every scenario the predicate selects; returns how many. */
  removeWhere(predicate: (scenario: Scenario) => boolean): number {
    const before = this.#scenarios.length;
    this.#scenarios = this.#scenarios.filter((scenario) => {
      if (!predicate(scenario)) return true;
      this.#byId.delete(scenario.id);
      return false;
    });
    if (this.#scenarios.length !== before) this.#version++;
    return before - this.#scenarios.length;
  }

  /** Removes every scenario and restarts generated ids. */
  clear(): void {
    this.#scenarios = [];
    this.#byId.clear();
    this.#counters.clear();
    this.#version++;
  }

  get(id: string): Scenario | undefined {
    return this.#byId.get(id);
  }

  /** The scenarios in the order they were added. */
  list(): readonly Scenario[] {
    return [...this.#scenarios];
  }

  /** The state at `now`: `base` with every scenario applied. */
  stateAt(base: ServiceState, now: number): ServiceState {
    const memo = this.#memo;
    if (memo && memo.base === base && memo.version === this.#version && now >= memo.from && now < memo.until)
      return memo.state;
    let from = -Infinity;
    let until = Infinity;
    const ordered = this.#scenarios
      .map((scenario, index) => ({ scenario, index, last: lastChangeAt(scenario, now) }))
      .sort((a, b) => a.last - b.last || a.index - b.index);
    let state = base;
    // Runs of value edits are gathered and applied in one copy of the overrides (see treeEdit).
    let edits: [string, string | null][] = [];
    const flush = () => {
      if (edits.length === 0) return;
      const batch = edits;
      edits = [];
      state = withInstance(state, (instance) => ({
        ...instance,
        overrides: withOverrides(instance.overrides, batch),
      }));
    };
    for (const { scenario, last } of ordered) {
      from = Math.max(from, last);
      const next = scenario.changesAt.find((instant) => instant > now);
      if (next !== undefined) until = Math.min(until, next);
      const edit = scenario.treeEdit;
      if (edit) {
        if (now >= edit.at) edits.push([edit.path, edit.value]);
        continue;
      }
      flush();
      state = scenario.apply(state, now);
    }
    flush();
    this.#memo = { base, version: this.#version, from, until, state };
    return state;
  }

  #indexOf(id: string): number {
    const index = this.#scenarios.findIndex((scenario) => scenario.id === id);
    if (index === -1) throw new ScenarioError('unknown-id', id, `no scenario with id '${id}'`);
    return index;
  }

  #nextId(type: string): string {
    let id: string;
    do {
      const n = (this.#counters.get(type) ?? 0) + 1;
      this.#counters.set(type, n);
      id = `${type}-${n}`;
    } while (this.get(id));
    return id;
  }
}
