/**
 * One-line scenarios for `imds serve`, as the Go peer offers them (`spot -d 30`): each flag is a
 * short form of one scenario entry of a configuration file, and is checked by the same schema, so
 * `--spot-interruption 30s` and `scenarios: [{ type: spot-interruption, after: 30s }]` are one thing.
 *
 * @see ../../docs/scenarios.md
 */
import { ConfigError, type LocatedProblem } from '../config/config-error.js';
import { formatDuration, parseDuration } from '../duration.js';
import { configFromData } from '../config/load-file.js';
import type { ScenarioSpec } from '../scenarios/spec.js';

/** The flags, as `parseArgs` options; each may be given more than once. */
export const SCENARIO_FLAGS = {
  'spot-interruption': { type: 'string', multiple: true },
  rebalance: { type: 'string', multiple: true },
  maintenance: { type: 'string', multiple: true },
  lifecycle: { type: 'string', multiple: true },
} as const;

export type ScenarioFlag = keyof typeof SCENARIO_FLAGS;

/** Their help lines, for `imds serve --help`. */
export const SCENARIO_FLAGS_HELP = `One-line scenarios (each may be repeated; WHEN counts from start: 30s, 2m, 1h30m):
  --spot-interruption [ACTION@]WHEN   a spot interruption notice at WHEN, the action 2 minutes later;
                                      ACTION is terminate (default), stop or hibernate
  --rebalance WHEN                    a rebalance recommendation at WHEN
  --maintenance CODE@WHEN             a scheduled event (listed from start) whose window opens at WHEN
                                      and lasts 2h; CODE is system-reboot, instance-reboot,
                                      system-maintenance, instance-retirement or instance-stop
  --lifecycle STATE@WHEN[,STATE@WHEN] Auto Scaling target lifecycle states (InService from start
                                      unless the first step has no @WHEN): --lifecycle Terminated@2m
`;

/** A maintenance window's length when a one-liner does not say, as the test fixture assumes. */
const MAINTENANCE_WINDOW_MS = 2 * 3_600_000;

/**
 * The scenario specs the one-line flags describe, checked as a file's `scenarios:` would be.
 * @throws {ConfigError} naming the flag and the value for each problem.
 * @example
 * ```ts
 * scenariosFromFlags({ 'spot-interruption': ['stop@30s'] });
 * // [{ type: 'spot-interruption', action: 'stop', when: { after: 30000 } }]
 * ```
 */
export function scenariosFromFlags(values: Partial<Record<ScenarioFlag, readonly string[]>>): ScenarioSpec[] {
  const problems: LocatedProblem[] = [];
  const specs: ScenarioSpec[] = [];
  for (const flag of Object.keys(SCENARIO_FLAGS) as ScenarioFlag[]) {
    for (const text of values[flag] ?? []) {
      const source = `--${flag}`;
      const entry = entryOf(flag, text);
      if (typeof entry === 'string') {
        problems.push({ source, path: [], message: `'${text}': ${entry}` });
        continue;
      }
      const checked = configFromData({ scenarios: [entry] });
      if ('problems' in checked) {
        // The key path of a file (`scenarios[0].action`) means nothing here: the flag says where.
        for (const problem of checked.problems)
          problems.push({ source, path: [], message: `'${text}': ${problem.message}` });
      } else {
        specs.push(...checked.config.scenarios);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return specs;
}

/** The file entry for one flag value, or what is wrong with the value. */
function entryOf(flag: ScenarioFlag, text: string): Record<string, unknown> | string {
  switch (flag) {
    case 'spot-interruption': {
      const [action, when] = text.includes('@') ? split(text) : [undefined, text];
      return { type: 'spot-interruption', ...(action ? { action } : {}), after: when };
    }
    case 'rebalance':
      return { type: 'rebalance-recommendation', after: text };
    case 'maintenance': {
      if (!text.includes('@')) return 'expected CODE@WHEN, such as system-reboot@1h';
      const [code, when] = split(text);
      const start = parseDuration(when);
      if (start === undefined) return `'${when}' is not a duration such as 30s, 2m or 1h30m`;
      return {
        type: 'maintenance-event',
        code,
        notBefore: formatDuration(start),
        notAfter: formatDuration(start + MAINTENANCE_WINDOW_MS),
      };
    }
    case 'lifecycle': {
      const steps = text.split(',').map((step) => {
        const [state, when] = step.includes('@') ? split(step) : [step, undefined];
        return { state, ...(when === undefined ? {} : { after: when }) };
      });
      const first = steps[0];
      const startsLater = first !== undefined && 'after' in first && parseDuration(first.after) !== 0;
      return {
        type: 'autoscaling-lifecycle',
        steps: startsLater ? [{ state: 'InService' }, ...steps] : steps,
      };
    }
  }
}

function split(text: string): [string, string] {
  const at = text.lastIndexOf('@');
  return [text.slice(0, at), text.slice(at + 1)];
}
