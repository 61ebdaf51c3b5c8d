import * as z from 'zod';
import { overrideSegments } from '../../metadata/overrides.js';
import { DYNAMIC, LATEST, META_DATA, USER_DATA } from '../../wire.js';
import { describeValue } from '../problem.js';
import { suggest } from '../suggest.js';

const ROOTS = [META_DATA, DYNAMIC, USER_DATA] as const;
const EXPECTED = `expected a path under /latest/ starting with ${ROOTS.join(', ')} (such as meta-data/ami-id)`;

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
