import type * as z from 'zod';
import { describeValue, type ConfigProblem, type KeyPath } from './problem.js';
import { knownKeysAt, valueAt } from './schema-walk.js';
import { suggest } from './suggest.js';
import { unknownKeyMessage } from './unknown-keys.js';

type Issue = z.core.$ZodIssue;

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a map of keys to values',
  array: 'a list',
  record: 'a map of keys to values',
  null: 'null',
};

const quote = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));
const oneOf = (values: readonly unknown[]) =>
  values.length === 1 ? quote(values[0]) : `one of ${values.map(quote).join(', ')}`;

/** `expected X, got Y` for a present value, `missing; expected X` for an absent one, and a likely fix. */
function expectedGot(expectation: string, value: unknown, candidates: readonly unknown[] = []): string {
  const base =
    value === undefined ? `missing; ${expectation}` : `${expectation}, got ${describeValue(value)}`;
  const strings = candidates.filter((candidate): candidate is string => typeof candidate === 'string');
  const meant = typeof value === 'string' ? suggest(value, strings) : undefined;
  return meant === undefined ? base : `${base}; did you mean ${JSON.stringify(meant)}?`;
}

/** The schema author's wording (`expected an instance id such as ...`), when the issue carries it. */
function authored(issue: Issue): string | undefined {
  return issue.message.startsWith('expected ') ? issue.message : undefined;
}

function generic(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `expected at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`
        : issue.origin === 'string'
          ? `expected at least ${issue.minimum} character${Number(issue.minimum) === 1 ? '' : 's'}`
          : `expected a number ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `expected at most ${issue.maximum} items`
        : issue.origin === 'string'
          ? `expected at most ${issue.maximum} characters`
          : `expected a number ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
    case 'invalid_format':
      return `expected a string in the ${issue.format} format`;
    default:
      return `expected a valid value (${issue.message})`;
  }
}

/**
 * Turns zod's issues into one {@link ConfigProblem} per problem: each says what the key expected
 * and what it got, names the keys an object allows when one is unknown, and suggests the closest
 * known key or value for a likely typo.
 */
export function problemsFromIssues(
  issues: readonly Issue[],
  schema: z.ZodType,
  data: unknown,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = issue.path as KeyPath;
    const value = valueAt(data, path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(schema, data, path) ?? [];
        for (const key of issue.keys)
          problems.push({ path: [...path, key], message: unknownKeyMessage(key, known) });
        break;
      }
      case 'invalid_value':
        problems.push({
          path,
          message: expectedGot(authored(issue) ?? `expected ${oneOf(issue.values)}`, value, issue.values),
        });
        break;
      case 'invalid_union': {
        const options = (issue as { options?: unknown[] }).options;
        if ((issue as { discriminator?: string }).discriminator && options) {
          problems.push({ path, message: expectedGot(`expected ${oneOf(options)}`, value, options) });
        } else {
          problems.push({
            path,
            message: expectedGot(authored(issue) ?? 'expected a value of another form', value),
          });
        }
        break;
      }
      case 'custom':
        // `final`: the check wrote the whole sentence itself (it knew better what was meant).
        problems.push({
          path,
          message:
            authored(issue) && !issue.params?.final
              ? expectedGot(issue.message, value, (issue.params?.candidates as unknown[]) ?? [])
              : issue.message,
        });
        break;
      default:
        problems.push({ path, message: expectedGot(authored(issue) ?? generic(issue), value) });
    }
  }
  return problems;
}
