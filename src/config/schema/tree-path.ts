import * as z from 'zod';
import { overrideSegments } from '../../metadata/overrides.js';
import { DYNAMIC, LATEST, META_DATA, USER_DATA, USER_DATA_MAX_BYTES } from '../../wire.js';
import { describeValue } from '../problem.js';
import { suggest } from '../suggest.js';

const ROOTS = [META_DATA, DYNAMIC, USER_DATA] as const;
const EXPECTED = `expected a path under /latest/ starting with ${ROOTS.join(', ')} (such as meta-data/ami-id)`;

/**
 * The one size rule for a value set at a path, wherever it is set (the file's `set`, a
 * `set-value` scenario, `PUT /values`, the fixture): user data is limited to 16 KiB, as on EC2
 * and as `instance.userData` in a file is. Undefined when the value fits.
 */
export function treeValueProblem(canonicalPath: string, value: string): string | undefined {
  if (canonicalPath !== USER_DATA) return undefined;
  const bytes = Buffer.byteLength(value);
  return bytes > USER_DATA_MAX_BYTES
    ? `user data is limited to ${USER_DATA_MAX_BYTES} bytes (16 KiB), got ${bytes}`
    : undefined;
}

/** Adds {@link treeValueProblem} to a schema of `{ path, value }` (path already canonical). */
export const withTreeValueLimit = <T extends z.ZodType<{ path: string; value: string }>>(schema: T) =>
  schema.superRefine((entry, ctx) => {
    const problem = treeValueProblem(entry.path, entry.value);
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem, params: { final: true } });
  });

/**
 * A path of the tree under `/latest/` (`meta-data/tags/instance/Name`), in canonical form: a
 * leading `/latest/` and stray slashes are dropped.
 */
export const treePath = () =>
  z.string({ error: EXPECTED }).transform((value, ctx) => {
    const segments = overrideSegments(value);
    if (segments[0] === LATEST) segments.shift();
    const [root] = segments;
    if (root === undefined) {
      ctx.addIssue({ code: 'custom', message: EXPECTED, input: value });
      return z.NEVER;
    }
    if (!(ROOTS as readonly string[]).includes(root)) {
      const meant = suggest(root, ROOTS);
      const fix = meant ? `; did you mean ${JSON.stringify([meant, ...segments.slice(1)].join('/'))}?` : '';
      ctx.addIssue({
        code: 'custom',
        message: `${EXPECTED}, got ${describeValue(value)}${fix}`,
        input: value,
        params: { final: true },
      });
      return z.NEVER;
    }
    if (segments.some((segment) => segment === '.' || segment === '..')) {
      ctx.addIssue({
        code: 'custom',
        message: `${EXPECTED}; '.' and '..' are not steps in the tree`,
        input: value,
        params: { final: true },
      });
      return z.NEVER;
    }
    return segments.join('/');
  });
