import { buildInstance, type InstanceExtras, type ReadUserDataFile } from '../config/build-instance.js';
import type { ConfigProblem, KeyPath } from '../config/problem.js';
import type { FleetInput } from '../config/schema/fleet-schema.js';
import type { InstanceInput } from '../config/schema/instance-schema.js';
import { toScenarioSpec } from '../config/schema/scenario-schema.js';
import type { ScenarioSpec } from '../scenarios/spec.js';
import type { FleetMember, FleetSpec, Unmatched } from './fleet-spec.js';
import { templateMembers } from './template-members.js';

/** What every instance of the fleet starts from: the file's top-level `instance:`, extras and scenarios. */
export interface FleetBase {
  readonly instance?: InstanceInput | undefined;
  readonly extras: InstanceExtras;
  readonly scenarios: readonly ScenarioSpec[];
}

/**
 * Builds the fleet a checked `fleet:` block describes, or returns every problem with its key path
 * (`fleet.template.count`, `fleet.instances[1].instance.region`...).
 *
 * Listed instances come first, then the template's `count` instances: the template instance is
 * built once and instance n derived from it (see `deriveInstance`), sharing everything that
 * does not differ, so a large template costs little memory.
 */
export function buildFleet(
  input: FleetInput,
  base: FleetBase,
  readFile?: ReadUserDataFile,
): { spec: FleetSpec } | { problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const members: FleetMember[] = [];
  const build = (instance: InstanceInput | undefined, at: KeyPath) => {
    const built = buildInstance({ ...base.instance, ...instance }, base.extras, readFile);
    for (const problem of built.problems) {
      const [head, ...rest] = problem.path;
      problems.push({ ...problem, path: head === 'instance' ? [...at, 'instance', ...rest] : problem.path });
    }
    return built.problems.length === 0 ? built.instance : undefined;
  };
  const specs = (own: { scenarios?: unknown[] | undefined; faults?: unknown[] | undefined }) => [
    ...base.scenarios,
    ...[...(own.scenarios ?? []), ...(own.faults ?? [])].map((entry) =>
      toScenarioSpec(entry as Parameters<typeof toScenarioSpec>[0]),
    ),
  ];

  (input.instances ?? []).forEach((entry, index) => {
    const instance = build(entry.instance, ['fleet', 'instances', index]);
    if (!instance) return;
    members.push({
      instance,
      ...(entry.httpTokens ? { httpTokens: entry.httpTokens } : {}),
      ...(entry.httpEndpoint ? { httpEndpoint: entry.httpEndpoint } : {}),
      scenarios: specs(entry),
      sources: entry.sources ?? [],
      ...(entry.listen ? { listen: entry.listen } : {}),
    });
  });

  const template = input.template;
  if (template) {
    const first = build(template.instance, ['fleet', 'template']);
    if (first) {
      try {
        members.push(
          ...templateMembers(first, {
            ...template,
            scenarios: specs(template),
          }),
        );
      } catch (error) {
        problems.push({ path: ['fleet', 'template', 'count'], message: (error as Error).message });
      }
    }
  }
  if (!input.instances && !template)
    problems.push({
      path: ['fleet'],
      message: 'expected instances (a list), template (with a count), or both',
    });

  const seen = new Map<string, number>();
  members.forEach((member, index) => {
    const id = member.instance.instanceId;
    const twin = seen.get(id);
    if (twin !== undefined)
      problems.push({
        path: ['fleet'],
        message: `instances ${twin} and ${index} of the fleet both have the id ${id}; give each its own instanceId`,
      });
    else seen.set(id, index);
  });

  let unmatched: Unmatched = { kind: 'refuse' };
  if (input.unmatched === 'timeout') unmatched = { kind: 'timeout' };
  else if (input.unmatched !== undefined && input.unmatched !== 'refuse') {
    unmatched = { kind: 'instance', instanceId: input.unmatched };
    if (problems.length === 0 && !seen.has(input.unmatched))
      problems.push({ path: ['fleet', 'unmatched'], message: `no instance ${input.unmatched} in the fleet` });
  }

  const targeted = (input.scenarios ?? []).map((entry, index) => {
    const targets = entry.targets ?? 'all';
    if (Array.isArray(targets) && problems.length === 0) {
      targets.forEach((id, at) => {
        if (!seen.has(id))
          problems.push({
            path: ['fleet', 'scenarios', index, 'targets', at],
            message: `no instance ${id} in the fleet`,
          });
      });
    }
    if (typeof targets === 'object' && 'count' in targets && targets.count > members.length)
      problems.push({
        path: ['fleet', 'scenarios', index, 'targets', 'count'],
        message: `the fleet has ${members.length} instances, fewer than ${targets.count}`,
      });
    return { targets, spec: toScenarioSpec(entry.scenario) };
  });

  if (problems.length > 0) return { problems };
  return {
    spec: {
      members,
      ...(input.header ? { header: input.header.toLowerCase() } : {}),
      unmatched,
      ...(targeted.length > 0 ? { targeted } : {}),
    },
  };
}
